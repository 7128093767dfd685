// A Single Page Application registered with `portcullis admin apps create --type spa`:
// a public client (no secret) that openid-client takes through the code flow with PKCE
// (token_endpoint_auth_method none), and CORS on the token endpoint for its web origin
// only, as a browser would check it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

import { startPortcullis } from '../lib/server.mjs';
import { Browser } from '../lib/browser.mjs';
import { bootstrappedDataDir, createApp, createUser } from '../lib/cli.mjs';

const EMAIL = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
const ORIGIN = 'http://localhost:5173';
const CALLBACK = `${ORIGIN}/callback`;
const OTHER_ORIGIN = 'https://evil.example';

test('a SPA from `admin apps create` logs in with PKCE and no secret; CORS for its origin only', async () => {
  const dataDir = bootstrappedDataDir();
  const spa = createApp(dataDir, [
    '--name', 'Orders SPA', '--type', 'spa',
    '--callback', CALLBACK, '--logout-url', ORIGIN, '--web-origin', ORIGIN,
  ]);
  assert.equal(spa.secret, undefined, 'a SPA must not get a secret');
  const userId = createUser(dataDir, EMAIL, PASSWORD);
  const server = await startPortcullis({ dataDir });
  try {
    const issuer = new URL(server.issuer);
    const config = await client.discovery(
      issuer,
      spa.clientId,
      { token_endpoint_auth_method: 'none' },
      client.None(),
      { execute: [client.allowInsecureRequests] },
    );
    assert.equal(config.clientMetadata().token_endpoint_auth_method, 'none');
    const browser = new Browser();

    // Without PKCE a public client is refused, at its callback.
    const noPkce = await browser.follow(
      client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 'no-pkce' }).href,
      issuer.origin,
    );
    assert.equal(noPkce.left.origin + noPkce.left.pathname, CALLBACK);
    assert.equal(noPkce.left.searchParams.get('error'), 'invalid_request');
    assert.equal(noPkce.left.searchParams.get('state'), 'no-pkce');
    assert.equal(noPkce.left.searchParams.get('code'), null);

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid profile email',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const page = await browser.follow(authUrl.href, issuer.origin);
    assert.equal(page.res.status, 200);
    const done = await browser.login(await page.res.text(), page.url, EMAIL, PASSWORD, issuer.origin);
    assert.ok(done.left, 'login did not redirect to the SPA');
    assert.equal(done.left.origin + done.left.pathname, CALLBACK);

    const tokens = await client.authorizationCodeGrant(config, done.left, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
    });
    const claims = tokens.claims();
    assert.equal(claims.sub, userId);
    assert.equal(claims.aud, spa.clientId);
    assert.equal(claims.email, EMAIL);
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.refresh_token, undefined);
    const info = await client.fetchUserInfo(config, tokens.access_token, userId);
    assert.equal(info.sub, userId);

    // CORS, as the SPA's browser sees it. The preflight from the registered origin:
    const tokenUrl = `${server.issuer}oauth/token`;
    const preflight = (origin) => fetch(tokenUrl, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,auth0-client',
      },
    });
    const allowed = await preflight(ORIGIN);
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(allowed.headers.get('access-control-allow-methods'), /\bPOST\b/);
    assert.match(allowed.headers.get('access-control-allow-headers'), /content-type/i);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null);
    assert.match(allowed.headers.get('vary'), /origin/i);

    // ...then the token request itself, with a fresh code from the SSO session.
    const verifier2 = client.randomPKCECodeVerifier();
    const sso = await browser.follow(
      client.buildAuthorizationUrl(config, {
        redirect_uri: CALLBACK,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(verifier2),
        code_challenge_method: 'S256',
        state: 'xhr',
      }).href,
      issuer.origin,
    );
    const code = sso.left.searchParams.get('code');
    assert.ok(code, 'the SSO session did not answer with a code');
    const exchange = (origin, body) => fetch(tokenUrl, {
      method: 'POST',
      headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });
    const xhr = await exchange(ORIGIN, {
      grant_type: 'authorization_code',
      client_id: spa.clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier2,
    });
    assert.equal(xhr.status, 200, await xhr.clone().text());
    assert.equal(xhr.headers.get('access-control-allow-origin'), ORIGIN);
    const body = await xhr.json();
    assert.ok(body.access_token);
    assert.ok(body.id_token);

    // Another origin gets no CORS header at all, so its browser refuses.
    const refused = await preflight(OTHER_ORIGIN);
    assert.notEqual(refused.status, 204);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    assert.equal(refused.headers.get('access-control-allow-methods'), null);
    const foreign = await exchange(OTHER_ORIGIN, {
      grant_type: 'authorization_code',
      client_id: spa.clientId,
      code: 'not-a-code',
      redirect_uri: CALLBACK,
      code_verifier: verifier2,
    });
    assert.equal(foreign.status, 400);
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
    // Near misses of the registered origin are other origins.
    for (const near of ['http://localhost:5174', 'http://LOCALHOST:5173', 'http://localhost:5173/', 'null']) {
      const r = await preflight(near);
      assert.equal(r.headers.get('access-control-allow-origin'), null, near);
    }
  } finally {
    await server.stop();
  }
});
