// openid-client (panva) does discovery, the code flow with PKCE (the login form posted
// as a browser would), checks the ID token, fetches /userinfo and refreshes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as client from 'openid-client';

import { startPortcullis } from '../lib/server.mjs';
import { Browser } from '../lib/browser.mjs';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';

function envValue(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} missing from the bootstrap output`);
  return line.slice(name.length + 1);
}

function createUser(server) {
  const r = spawnSync(
    process.env.PORTCULLIS_BIN,
    ['admin', 'users', 'create', '--email', EMAIL, '--name', 'Ada Lovelace', '--data-dir', server.dataDir],
    { input: `${PASSWORD}\n`, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.match(/created (\S+)/)[1];
}

test('openid-client: discovery, code flow with PKCE, ID token, userinfo', async () => {
  const server = await startPortcullis();
  try {
    await server.waitForStdout('PORTCULLIS_M2M_AUDIENCE=');
    const out = server.stdout();
    const userId = createUser(server);
    const issuer = new URL(server.issuer);
    const config = await client.discovery(
      issuer,
      envValue(out, 'CLIENT_ID'),
      envValue(out, 'CLIENT_SECRET'),
      client.ClientSecretPost(envValue(out, 'CLIENT_SECRET')),
      { execute: [client.allowInsecureRequests] },
    );
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:3000/callback',
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });

    const browser = new Browser();
    const page = await browser.follow(authUrl.href, issuer.origin);
    assert.equal(page.res.status, 200);
    assert.match(page.url, /\/u\/login\?state=/);
    const html = await page.res.text();
    assert.match(html, /name="csrf"/);

    // A wrong password: the same page again, with Auth0's message.
    const wrong = await browser.login(html, page.url, EMAIL, 'nope', issuer.origin);
    assert.equal(wrong.res.status, 400);
    assert.match(await wrong.res.text(), /Wrong email or password\./);

    const done = await browser.login(html, page.url, EMAIL, PASSWORD, issuer.origin);
    assert.ok(done.left, 'login did not redirect to the application');
    assert.equal(done.left.origin + done.left.pathname, 'http://localhost:3000/callback');
    assert.equal(done.left.searchParams.get('iss'), server.issuer);

    const tokens = await client.authorizationCodeGrant(config, done.left, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.equal(claims.sub, userId);
    assert.equal(claims.iss, server.issuer);
    assert.equal(claims.email, EMAIL);
    assert.equal(claims.name, 'Ada Lovelace');
    assert.equal(typeof claims.sid, 'string');
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');

    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
    assert.equal(info.sub, userId);
    assert.equal(info.email, EMAIL);
    assert.equal(info.email_verified, false);

    // The code is single-use.
    await assert.rejects(
      client.authorizationCodeGrant(config, done.left, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
      (e) => e.error === 'invalid_grant',
    );

    // SSO: a second authorization answers without the login page.
    const again = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://localhost:3000/callback',
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'second',
    });
    const sso = await browser.follow(again.href, issuer.origin);
    assert.ok(sso.left, 'the SSO session did not answer at once');
    assert.equal(sso.left.searchParams.get('state'), 'second');
    assert.ok(sso.left.searchParams.get('code'));

    // A refresh, through an API that allows offline access.
    const api = spawnSync(
      process.env.PORTCULLIS_BIN,
      ['admin', 'apis', 'create', '--identifier', 'https://orders.example/', '--name', 'Orders',
        '--allow-offline-access', '--scope', 'read:orders', '--data-dir', server.dataDir],
      { encoding: 'utf8' },
    );
    assert.equal(api.status, 0, api.stderr);
    const offline = await browser.follow(
      client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://localhost:3000/callback',
        scope: 'openid offline_access read:orders',
        audience: 'https://orders.example/',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 'offline',
      }).href,
      issuer.origin,
    );
    const first = await client.authorizationCodeGrant(config, offline.left, {
      pkceCodeVerifier: verifier,
      expectedState: 'offline',
    });
    assert.ok(first.refresh_token, 'no refresh token');
    assert.equal(first.scope, 'openid offline_access read:orders');
    const refreshed = await client.refreshTokenGrant(config, first.refresh_token);
    assert.ok(refreshed.access_token);
    assert.notEqual(refreshed.refresh_token, first.refresh_token);
    assert.equal(refreshed.claims().sub, userId);
    // The spent token is refused, and its reuse kills the family.
    await assert.rejects(client.refreshTokenGrant(config, first.refresh_token), (e) => e.error === 'invalid_grant');
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token), (e) => e.error === 'invalid_grant');

    // prompt=none without a session: login_required at the callback.
    const anonymous = new Browser();
    const none = await anonymous.follow(
      client.buildAuthorizationUrl(config, {
        redirect_uri: 'http://localhost:3000/callback',
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state: 's3',
        prompt: 'none',
      }).href,
      issuer.origin,
    );
    assert.equal(none.left.searchParams.get('error'), 'login_required');
    assert.equal(none.left.searchParams.get('state'), 's3');
  } finally {
    await server.stop();
  }
});
