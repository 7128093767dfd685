// Password reset with node-auth0's AuthenticationClient (`database.changePassword`)
// against Portcullis over --tls-self-signed https, with no SMTP configured: the link
// goes to <data dir>/outbox, is followed and used once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPortcullis } from '../lib/server.mjs';

const scenario = fileURLToPath(new URL('../lib/change-password.mjs', import.meta.url));
const SENT = "We've just sent you an email to reset your password.";

function envValue(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} missing from the bootstrap output`);
  return line.slice(name.length + 1);
}

test('node-auth0 changePassword: the same answer for any address, a link that works once', async () => {
  const server = await startPortcullis({ args: ['--tls-self-signed'] });
  try {
    await server.waitForStdout('PORTCULLIS_M2M_AUDIENCE=');
    const clientId = envValue(server.stdout(), 'CLIENT_ID');
    const created = spawnSync(
      process.env.PORTCULLIS_BIN,
      ['admin', 'users', 'create', '--email', 'reset-me@example.com', '--data-dir', server.dataDir],
      { input: 'the old password\n', encoding: 'utf8' },
    );
    assert.equal(created.status, 0, created.stderr);
    const run = spawnSync(
      process.execPath,
      [scenario, server.issuer, clientId, 'Reset-Me@example.com', 'nobody@example.com',
        join(server.dataDir, 'outbox'), 'the new password'],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(server.dataDir, 'tls', 'ca.pem') }, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout);
    const answer = { status: 200, data: SENT, type: 'text/html; charset=utf-8' };
    assert.deepEqual(r.known, answer);
    assert.deepEqual(r.unknown, answer);
    assert.deepEqual(r.refused, {
      status: 400,
      body: { error: 'invalid_request', error_description: 'connection not found' },
    });
    assert.equal(r.mails, 1);
    assert.equal(r.to, 'reset-me@example.com');
    assert.ok(r.link.startsWith(`${server.issuer}u/reset-password?ticket=`), r.link);
    assert.deepEqual(r.form, { status: 200, csrf: true, ticket: true });
    assert.deepEqual(r.reset, { status: 303, location: '/u/reset-password/done' });
    assert.equal(r.again, 400);
  } finally {
    await server.stop();
  }
});
