// Run as a child process (NODE_EXTRA_CA_CERTS must be set at start): a user logs in
// through openid-client (code flow with PKCE and `audience`, a public SPA client), and
// an API written as Auth0's "Node (Express) API" quickstart (express-jwt + jwks-rsa)
// checks the user's access token. Prints one JSON object: the token's claims and the
// status each request got.
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import * as client from 'openid-client';

import { Browser } from './browser.mjs';

const [issuerUrl, clientId, callback, email, password, audience, scope] = process.argv.slice(2);
const issuer = new URL(issuerUrl);
const domain = issuer.host;

// The user's access token.
const config = await client.discovery(issuer, clientId, { token_endpoint_auth_method: 'none' }, client.None());
const verifier = client.randomPKCECodeVerifier();
const authUrl = client.buildAuthorizationUrl(config, {
  redirect_uri: callback,
  scope,
  audience,
  code_challenge: await client.calculatePKCECodeChallenge(verifier),
  code_challenge_method: 'S256',
  state: 'api',
});
const browser = new Browser();
const page = await browser.follow(authUrl.href, issuer.origin);
const done = await browser.login(await page.res.text(), page.url, email, password, issuer.origin);
if (!done.left) throw new Error(`login failed with ${done.res?.status}`);
const tokens = await client.authorizationCodeGrant(config, done.left, {
  pkceCodeVerifier: verifier,
  expectedState: 'api',
});

// Auth0's quickstart, as it is written there.
const app = express();
const checkJwt = expressjwt({
  secret: jwksRsa.expressJwtSecret({
    cache: true,
    rateLimit: true,
    jwksRequestsPerMinute: 5,
    jwksUri: `https://${domain}/.well-known/jwks.json`,
  }),
  audience,
  issuer: `https://${domain}/`,
  algorithms: ['RS256'],
});
const requirePermission = (permission) => (req, res, next) =>
  (req.auth.permissions || []).includes(permission)
    ? next()
    : res.status(403).json({ error: 'insufficient_permissions' });
app.get('/api/private', checkJwt, (req, res) => res.json({ sub: req.auth.sub, permissions: req.auth.permissions }));
app.get('/api/orders', checkJwt, requirePermission('read:orders'), (req, res) => res.json({ orders: [] }));
app.delete('/api/orders', checkJwt, requirePermission('delete:orders'), (req, res) => res.json({ deleted: true }));
app.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.code || err.name }));

const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${server.address().port}`;
const call = async (method, path, token) => {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: r.status, body: await r.json() };
};

const at = tokens.access_token;
const [h, p, s] = at.split('.');
const flipped = s[5] === 'A' ? 'B' : 'A';
const tampered = `${h}.${p}.${s.slice(0, 5)}${flipped}${s.slice(6)}`;
const payload = JSON.parse(Buffer.from(p, 'base64url'));
const escalated = `${h}.${Buffer.from(JSON.stringify({ ...payload, permissions: [...payload.permissions, 'delete:orders'] })).toString('base64url')}.${s}`;

console.log(JSON.stringify({
  header: JSON.parse(Buffer.from(h, 'base64url')),
  claims: payload,
  scope: tokens.scope,
  valid: await call('GET', '/api/private', at),
  read: (await call('GET', '/api/orders', at)).status,
  delete: (await call('DELETE', '/api/orders', at)).status,
  tampered: await call('GET', '/api/private', tampered),
  escalated: await call('DELETE', '/api/orders', escalated),
  none: (await call('GET', '/api/private', null)).status,
  idToken: tokens.id_token ? 'present' : 'absent',
}));
server.close();
