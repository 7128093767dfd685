// A machine-to-machine token from Portcullis, obtained with node-auth0 and accepted by
// APIs built from Auth0's Node quickstarts, over --tls-self-signed https.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPortcullis } from '../lib/server.mjs';

const scenario = fileURLToPath(new URL('../lib/m2m-api.mjs', import.meta.url));

function envValue(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} missing from the bootstrap output`);
  return line.slice(name.length + 1);
}

test('node-auth0 client_credentials token accepted by express-jwt and express-oauth2-jwt-bearer', async () => {
  const server = await startPortcullis({ args: ['--tls-self-signed'] });
  try {
    const domain = new URL(server.issuer).host;
    await server.waitForStdout('PORTCULLIS_M2M_AUDIENCE=');
    const out = server.stdout();
    const run = spawnSync(
      process.execPath,
      [
        scenario,
        domain,
        envValue(out, 'PORTCULLIS_M2M_CLIENT_ID'),
        envValue(out, 'PORTCULLIS_M2M_CLIENT_SECRET'),
        envValue(out, 'PORTCULLIS_M2M_AUDIENCE'),
      ],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(server.dataDir, 'tls', 'ca.pem') }, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout);
    const m2mId = envValue(out, 'PORTCULLIS_M2M_CLIENT_ID');
    assert.equal(r.token_type, 'Bearer');
    assert.equal(r.expires_in, 86400);
    assert.match(r.scope, /(^| )read:users( |$)/);
    assert.deepEqual(r.jwt.valid, { status: 200, body: { sub: `${m2mId}@clients`, gty: 'client-credentials' } });
    assert.deepEqual(r.bearer.valid, { status: 200, body: { sub: `${m2mId}@clients` } });
    for (const api of ['jwt', 'bearer']) {
      assert.equal(r[api].tampered, 401, `${api} accepted a tampered signature`);
      assert.equal(r[api].forged, 401, `${api} accepted a changed payload`);
      assert.equal(r[api].none, 401, `${api} accepted no token`);
    }
  } finally {
    await server.stop();
  }
});
