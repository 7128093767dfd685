// node-auth0's ManagementClient drives the Management API v2 of a running Portcullis
// (over --tls-self-signed https): an API, roles with permissions, users, role
// assignments, a SPA and an M2M client with a grant. The tokens users and the client get
// then carry exactly the expected `permissions` and `scope`, and Auth0's express API
// quickstart with `requiredScopes('write:orders')` lets the admin in and keeps the
// viewer out with 403 insufficient_scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPortcullis } from '../lib/server.mjs';

const scenario = fileURLToPath(new URL('../lib/management.mjs', import.meta.url));
const API = 'https://orders.example/';

function envValue(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} missing from the bootstrap output`);
  return line.slice(name.length + 1);
}

test('node-auth0 ManagementClient sets up RBAC; tokens carry exactly its permissions', async () => {
  const server = await startPortcullis({ args: ['--tls-self-signed'] });
  try {
    await server.waitForStdout('PORTCULLIS_M2M_AUDIENCE=');
    const out = server.stdout();
    const run = spawnSync(
      process.execPath,
      [scenario, new URL(server.issuer).host, envValue(out, 'PORTCULLIS_M2M_CLIENT_ID'), envValue(out, 'PORTCULLIS_M2M_CLIENT_SECRET')],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(server.dataDir, 'tls', 'ca.pem') }, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout);

    assert.equal(r.api.identifier, API);
    assert.deepEqual(r.api.scopes, [
      { value: 'read:orders', description: 'Read orders' },
      { value: 'write:orders', description: 'Create and change orders' },
    ]);
    assert.deepEqual(r.roles, { admin: 'admin', user: 'user', viewer: 'viewer' });
    assert.deepEqual(r.viewerRoles, ['viewer']);
    assert.deepEqual(r.viewerPermissions, [[API, 'read:orders']]);
    assert.match(r.users.admin, /^auth0\|/);
    assert.deepEqual(r.spa, { app_type: 'spa', secret: null });
    assert.equal(r.m2mSecret, 'string');

    assert.equal(r.admin.claims.sub, r.users.admin);
    assert.deepEqual(r.admin.claims.permissions, ['read:orders', 'write:orders']);
    assert.equal(r.admin.claims.scope, 'openid read:orders write:orders');
    assert.deepEqual(r.admin.write, { status: 200, body: { created: true }, challenge: null });

    assert.deepEqual(r.viewer.claims.permissions, ['read:orders']);
    assert.equal(r.viewer.claims.scope, 'openid read:orders');
    assert.equal(r.viewer.write.status, 403);
    assert.equal(r.viewer.write.body.error, 'insufficient_scope');
    assert.match(r.viewer.write.challenge, /error="insufficient_scope"/);
    assert.equal(r.viewer.read, 200);

    assert.deepEqual(r.worker.claims.permissions, ['read:orders']);
    assert.equal(r.worker.claims.scope, 'read:orders');
    assert.equal(r.worker.claims.gty, 'client-credentials');
    assert.equal(r.worker.read, 200);

    assert.deepEqual(r.demoted.claims.permissions, []);
    assert.equal(r.demoted.write, 403);

    assert.deepEqual(r.duplicate, {
      statusCode: 409,
      body: { statusCode: 409, error: 'Conflict', message: 'The user already exists.', errorCode: 'auth0_idp_error' },
    });
  } finally {
    await server.stop();
  }
});
