// Run as a child process (NODE_EXTRA_CA_CERTS must be set at start). Sets a tenant up
// the way an Auth0 user's script does, through node-auth0's ManagementClient only: an
// API with scopes, the roles admin / user / viewer with the permissions read:orders and
// write:orders, users with those roles, a SPA and an M2M client with a client grant.
// Then users log in (code flow, openid-client) and the M2M client gets a token, and an
// API written as Auth0's express quickstart with `requiredScopes('write:orders')` is
// called with each token. Prints one JSON object with what every step saw.
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { AuthenticationClient, ManagementClient } from 'auth0';
import * as client from 'openid-client';

import { Browser } from './browser.mjs';

const [domain, clientId, clientSecret] = process.argv.slice(2);
const issuer = new URL(`https://${domain}/`);
const API = 'https://orders.example/';
const CALLBACK = 'http://localhost:5173/callback';
const PASSWORD = 'a long enough password';

const management = new ManagementClient({ domain, clientId, clientSecret });

const { data: api } = await management.resourceServers.create({
  name: 'Orders',
  identifier: API,
  scopes: [
    { value: 'read:orders', description: 'Read orders' },
    { value: 'write:orders', description: 'Create and change orders' },
  ],
  enforce_policies: true,
  token_dialect: 'access_token_authz',
});

const role = async (name, permissions) => {
  const { data } = await management.roles.create({ name, description: `${name} role` });
  await management.roles.addPermissions(
    { id: data.id },
    { permissions: permissions.map((p) => ({ resource_server_identifier: API, permission_name: p })) },
  );
  return data;
};
const roles = {
  admin: await role('admin', ['read:orders', 'write:orders']),
  user: await role('user', ['read:orders', 'write:orders']),
  viewer: await role('viewer', ['read:orders']),
};

const user = async (email, roleName) => {
  const { data } = await management.users.create({
    connection: 'Username-Password-Authentication',
    email,
    password: PASSWORD,
    name: email,
  });
  await management.users.assignRoles({ id: data.user_id }, { roles: [roles[roleName].id] });
  return data;
};
const admin = await user('ada@example.com', 'admin');
const viewer = await user('vic@example.com', 'viewer');
const { data: viewerRoles } = await management.users.getRoles({ id: viewer.user_id });
const { data: viewerPermissions } = await management.users.getPermissions({ id: viewer.user_id });

const { data: spa } = await management.clients.create({
  name: 'Orders SPA',
  app_type: 'spa',
  callbacks: [CALLBACK],
});
const { data: m2m } = await management.clients.create({ name: 'Orders worker', app_type: 'non_interactive' });
await management.clientGrants.create({ client_id: m2m.client_id, audience: API, scope: ['read:orders'] });

// Users log in through the SPA (code flow with PKCE and `audience`).
const config = await client.discovery(issuer, spa.client_id, { token_endpoint_auth_method: 'none' }, client.None());
const login = async (email) => {
  const verifier = client.randomPKCECodeVerifier();
  const authUrl = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid read:orders write:orders',
    audience: API,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: 'orders',
  });
  const browser = new Browser();
  const page = await browser.follow(authUrl.href, issuer.origin);
  const done = await browser.login(await page.res.text(), page.url, email, PASSWORD, issuer.origin);
  if (!done.left) throw new Error(`login of ${email} failed with ${done.res?.status}`);
  const tokens = await client.authorizationCodeGrant(config, done.left, {
    pkceCodeVerifier: verifier,
    expectedState: 'orders',
  });
  return tokens.access_token;
};
const claims = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url'));

const adminToken = await login(admin.email);
const viewerToken = await login(viewer.email);
const { data: workerTokens } = await new AuthenticationClient({
  domain,
  clientId: m2m.client_id,
  clientSecret: m2m.client_secret,
}).oauth.clientCredentialsGrant({ audience: API });

// Take the admin role away: the admin's next token carries none of its permissions.
await management.users.deleteRoles({ id: admin.user_id }, { roles: [roles.admin.id] });
const demotedToken = await login(admin.email);

// The API, as Auth0's express quickstart writes it.
const app = express();
app.use(auth({ audience: API, issuerBaseURL: issuer.href, tokenSigningAlg: 'RS256' }));
app.post('/api/orders', requiredScopes('write:orders'), (req, res) => res.json({ created: true }));
app.get('/api/orders', requiredScopes('read:orders'), (req, res) => res.json({ orders: [] }));
app.use((err, req, res, next) =>
  res.status(err.status || 500).set(err.headers || {}).json({ error: err.code || err.name, message: err.message }));
const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${server.address().port}`;
const call = async (method, token) => {
  const r = await fetch(`${base}/api/orders`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: r.status, body: await r.json(), challenge: r.headers.get('www-authenticate') };
};

// The management API refuses what Auth0 refuses, in Auth0's words.
let duplicate;
try {
  await management.users.create({ connection: 'Username-Password-Authentication', email: admin.email, password: PASSWORD });
} catch (e) {
  duplicate = { statusCode: e.statusCode, body: JSON.parse(e.body) };
}

console.log(JSON.stringify({
  api: { id: api.id, identifier: api.identifier, scopes: api.scopes },
  roles: Object.fromEntries(Object.entries(roles).map(([k, v]) => [k, v.name])),
  viewerRoles: viewerRoles.map((r) => r.name),
  viewerPermissions: viewerPermissions.map((p) => [p.resource_server_identifier, p.permission_name]),
  users: { admin: admin.user_id, viewer: viewer.user_id },
  spa: { app_type: spa.app_type, secret: spa.client_secret ?? null },
  m2mSecret: typeof m2m.client_secret,
  admin: { claims: claims(adminToken), write: await call('POST', adminToken) },
  viewer: { claims: claims(viewerToken), write: await call('POST', viewerToken), read: (await call('GET', viewerToken)).status },
  worker: { claims: claims(workerTokens.access_token), scope: workerTokens.scope, read: (await call('GET', workerTokens.access_token)).status },
  demoted: { claims: claims(demotedToken), write: (await call('POST', demotedToken)).status },
  duplicate,
}));
server.close();
