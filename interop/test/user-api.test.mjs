// A user's access token for an API with RBAC and "add permissions in the access token",
// everything set up with the CLI (`admin apis create`, `admin roles ...`, `admin apps
// create`), accepted by an API written as Auth0's Node quickstart (express-jwt +
// jwks-rsa, RS256, audience and issuer) over --tls-self-signed https; its `permissions`
// are exactly the role's, and a tampered token gets 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { startPortcullis } from '../lib/server.mjs';
import { admin, bootstrappedDataDir, createApp, createUser, createdId } from '../lib/cli.mjs';

const scenario = fileURLToPath(new URL('../lib/user-api.mjs', import.meta.url));
const API = 'https://orders.example/';
const EMAIL = 'clerk@example.com';
const PASSWORD = 'a long enough password';
const CALLBACK = 'http://localhost:5173/callback';

test('a user token with RBAC permissions is accepted by the express-jwt quickstart API', async () => {
  const dataDir = bootstrappedDataDir();
  admin(dataDir, [
    'apis', 'create', '--identifier', API, '--name', 'Orders',
    '--scope', 'read:orders', '--scope', 'write:orders', '--scope', 'delete:orders',
    '--rbac', '--add-permissions-in-token',
  ]);
  const role = createdId(admin(dataDir, ['roles', 'create', '--name', 'Order clerk']));
  admin(dataDir, ['roles', 'add-permission', role, '--api', API,
    '--permission', 'read:orders', '--permission', 'write:orders']);
  const userId = createUser(dataDir, EMAIL, PASSWORD);
  admin(dataDir, ['roles', 'assign', role, '--user', EMAIL]);
  const spa = createApp(dataDir, ['--name', 'Orders SPA', '--type', 'spa', '--callback', CALLBACK]);

  const server = await startPortcullis({ dataDir, args: ['--tls-self-signed'] });
  try {
    assert.match(server.issuer, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const run = spawnSync(
      process.execPath,
      [scenario, server.issuer, spa.clientId, CALLBACK, EMAIL, PASSWORD, API,
        'openid read:orders write:orders delete:orders'],
      { env: { ...process.env, NODE_EXTRA_CA_CERTS: join(dataDir, 'tls', 'ca.pem') }, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const r = JSON.parse(run.stdout);

    assert.equal(r.header.alg, 'RS256');
    assert.equal(r.header.typ, 'at+jwt');
    assert.equal(r.claims.iss, server.issuer);
    assert.equal(r.claims.sub, userId);
    assert.equal(r.claims.azp, spa.clientId);
    assert.deepEqual(r.claims.aud, [API, `${server.issuer}userinfo`]);
    // Exactly the role's permissions; RBAC drops the scope the role does not give.
    assert.deepEqual(r.claims.permissions, ['read:orders', 'write:orders']);
    assert.equal(r.claims.scope, 'openid read:orders write:orders');
    assert.equal(r.scope, 'openid read:orders write:orders');
    assert.equal(r.claims.gty, undefined);

    assert.deepEqual(r.valid, { status: 200, body: { sub: userId, permissions: ['read:orders', 'write:orders'] } });
    assert.equal(r.read, 200);
    assert.equal(r.delete, 403, 'a permission the role does not give was accepted');
    assert.deepEqual(r.tampered, { status: 401, body: { error: 'invalid_token' } });
    assert.equal(r.escalated.status, 401, 'a token with added permissions was accepted');
    assert.equal(r.none, 401);
  } finally {
    await server.stop();
  }
});
