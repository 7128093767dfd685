// panva's oidc-provider, configured to do what the benchmark asks of Portcullis:
// client_credentials and refresh_token grants with JWT access tokens for one API
// (resource indicator), refresh-token rotation on every use, and a minimal login
// interaction that checks the password with Argon2id (m=19456, t=2, p=1, the OWASP
// parameters Portcullis uses). No dev interactions; consent is given together with the
// login, as Portcullis (like Auth0) does for first-party applications.
//
// Configured by environment (bench/run sets these):
//   BENCH_ALG            RS256 or ES256: the one signing key, for ID and access tokens
//   BENCH_CLIENT_ID, BENCH_CLIENT_SECRET, BENCH_REDIRECT_URI
//   BENCH_RESOURCE       the API's identifier (audience of the JWT access tokens)
//   BENCH_SCOPE          the API's scope
//   BENCH_EMAIL, BENCH_PASSWORD   the one user
//   BENCH_ADAPTER        "map" (default: a Map store shaped like the Redis example
//                        adapter) or "builtin" (oidc-provider's LRU development adapter)
// Listens on 127.0.0.1, a free port; prints one JSON line {"issuer", "port"} when ready.
import { createServer } from 'node:http';
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

import Provider, { errors } from 'oidc-provider';
import { exportJWK, generateKeyPair } from 'jose';
import { Algorithm, hash, verify } from '@node-rs/argon2';

import { MapAdapter } from './adapter.mjs';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const ALG = env('BENCH_ALG');
const CLIENT_ID = env('BENCH_CLIENT_ID');
const CLIENT_SECRET = env('BENCH_CLIENT_SECRET');
const REDIRECT_URI = env('BENCH_REDIRECT_URI');
const RESOURCE = env('BENCH_RESOURCE');
const API_SCOPE = env('BENCH_SCOPE');
const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };

// The signing key: RSA 2048 or P-256, made by jose.
const { privateKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: ALG, use: 'sig' };

// The one user, with a stored Argon2id hash; unknown emails verify against a dummy hash
// of the same cost, so every login attempt costs one Argon2 verification.
const users = new Map();
const user = { id: 'user-1', email: env('BENCH_EMAIL'), name: 'Bench User' };
user.hash = await hash(env('BENCH_PASSWORD'), ARGON2);
users.set(user.email.toLowerCase(), user);
const DUMMY_HASH = await hash(randomBytes(16).toString('hex'), ARGON2);

async function findAccount(ctx, id) {
  const u = id === user.id ? user : undefined;
  if (!u) return undefined;
  return {
    accountId: u.id,
    async claims() {
      return { sub: u.id, email: u.email, email_verified: false, name: u.name };
    },
  };
}

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: ALG,
  }],
  jwks: { keys: [jwk] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  findAccount,
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  pkce: { required: () => true },
  rotateRefreshToken: () => true,
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo(ctx, resource) {
        if (resource !== RESOURCE) throw new errors.InvalidTarget();
        return {
          scope: API_SCOPE,
          audience: RESOURCE,
          accessTokenTTL: 86400,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: ALG } },
        };
      },
    },
  },
};
if ((process.env.BENCH_ADAPTER || 'map') === 'map') configuration.adapter = MapAdapter;

const provider = new Provider(issuer, configuration);
provider.on('server_error', (ctx, err) => console.error('server_error', err));

// --- the interaction: a login form with a CSRF token, checked with Argon2id ----------
const CSRF_KEY = randomBytes(32);
const csrfFor = (uid) => createHmac('sha256', CSRF_KEY).update(uid).digest('base64url');
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, uid, message = '') {
  const body = `<!doctype html><html><head><meta charset="utf-8"><title>Log in</title></head><body>
<form method="post" action="/interaction/${escape(uid)}/login">
<input type="hidden" name="csrf" value="${csrfFor(uid)}">
${message ? `<p role="alert">${escape(message)}</p>` : ''}
<label>Email <input type="email" name="email" required></label>
<label>Password <input type="password" name="password" required></label>
<button type="submit">Continue</button>
</form></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
  });
  res.end(body);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 65536) throw new Error('body too large');
  }
  return new URLSearchParams(body);
}

// Login and consent at once: the grant covers what was asked for.
async function finish(req, res, details, accountId) {
  const { params } = details;
  const grant = new provider.Grant({ accountId, clientId: params.client_id });
  grant.addOIDCScope(String(params.scope || 'openid'));
  grant.addResourceScope(params.resource || RESOURCE, API_SCOPE);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, {
    mergeWithLastSubmission: false,
  });
}

async function interaction(req, res) {
  const m = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== m[1]) throw new Error('interaction mismatch');
  if (req.method === 'GET' && !m[2]) {
    if (details.prompt.name === 'login') {
      page(res, 200, details.uid);
    } else {
      await finish(req, res, details, details.session.accountId);
    }
    return;
  }
  if (req.method !== 'POST' || !m[2]) {
    res.writeHead(405).end();
    return;
  }
  if (req.headers.origin !== issuer) {
    res.writeHead(403).end('cross-origin');
    return;
  }
  const form = await readForm(req);
  const presented = Buffer.from(form.get('csrf') || '');
  const expected = Buffer.from(csrfFor(details.uid));
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    res.writeHead(403).end('csrf');
    return;
  }
  const found = users.get(String(form.get('email') || '').toLowerCase());
  const ok = await verify(found ? found.hash : DUMMY_HASH, form.get('password') || '', ARGON2);
  if (!found || !ok) {
    page(res, 400, details.uid, 'Wrong email or password.');
    return;
  }
  await finish(req, res, details, found.id);
}

const callback = provider.callback();
server.on('request', (req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      console.error(err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
    return;
  }
  callback(req, res);
});
server.keepAliveTimeout = 65_000;

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(JSON.stringify({ issuer, port }));
