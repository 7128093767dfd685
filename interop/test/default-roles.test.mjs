// `portcullis admin tenant default-roles`: a user who signs up through /u/signup
// afterwards gets the default role, so the access token openid-client receives for the
// API carries that role's permissions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';

import { startPortcullis } from '../lib/server.mjs';
import { Browser } from '../lib/browser.mjs';
import { admin, bootstrappedDataDir, createApp, createdId } from '../lib/cli.mjs';

const API = 'https://orders.example/';
const CALLBACK = 'http://localhost:5173/callback';
const EMAIL = 'newcomer@example.com';
const PASSWORD = 'a fresh long password';

/** Posts the signup form of `html` (found at `pageUrl`) as a browser would, then follows redirects. */
async function signup(browser, html, pageUrl, origin) {
  const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1];
  const res = await browser.request(new URL('/u/signup', pageUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'sec-fetch-site': 'same-origin' },
    body: new URLSearchParams({
      csrf: field('csrf'),
      state: field('state').replaceAll('&amp;', '&'),
      email: EMAIL,
      password: PASSWORD,
    }),
  });
  assert.equal(res.status, 303, await res.clone().text());
  return browser.follow(new URL(res.headers.get('location'), pageUrl).href, origin);
}

test('a user who signs up after `admin tenant default-roles` gets the default role\'s permissions', async () => {
  const dataDir = bootstrappedDataDir();
  admin(dataDir, [
    'apis', 'create', '--identifier', API, '--name', 'Orders',
    '--scope', 'read:orders', '--scope', 'write:orders',
    '--rbac', '--add-permissions-in-token',
  ]);
  const member = createdId(admin(dataDir, ['roles', 'create', '--name', 'Member']));
  admin(dataDir, ['roles', 'add-permission', member, '--api', API, '--permission', 'read:orders']);
  const other = createdId(admin(dataDir, ['roles', 'create', '--name', 'Editor']));
  admin(dataDir, ['roles', 'add-permission', other, '--api', API, '--permission', 'write:orders']);
  assert.equal(
    admin(dataDir, ['tenant', 'default-roles', '--role', member]),
    `default roles: ${member} (Member)\n`,
  );
  const spa = createApp(dataDir, ['--name', 'Orders SPA', '--type', 'spa', '--callback', CALLBACK]);

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
    const verifier = client.randomPKCECodeVerifier();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email read:orders write:orders',
      audience: API,
      screen_hint: 'signup',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: 'signup',
    });
    const browser = new Browser();
    const page = await browser.follow(authUrl.href, issuer.origin);
    assert.equal(page.res.status, 200);
    assert.match(page.url, /\/u\/signup\?state=/);
    const done = await signup(browser, await page.res.text(), page.url, issuer.origin);
    assert.ok(done.left, 'signup did not redirect to the application');
    assert.equal(done.left.origin + done.left.pathname, CALLBACK);

    const tokens = await client.authorizationCodeGrant(config, done.left, {
      pkceCodeVerifier: verifier,
      expectedState: 'signup',
    });
    assert.equal(tokens.claims().email, EMAIL);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1], 'base64url'));
    assert.match(claims.sub, /^auth0\|[0-9a-f]{24}$/);
    assert.equal(claims.sub, tokens.claims().sub);
    assert.deepEqual(claims.permissions, ['read:orders']);
    assert.equal(claims.scope, 'openid email read:orders');
    assert.deepEqual(claims.aud, [API, `${server.issuer}userinfo`]);
  } finally {
    await server.stop();
  }
});
