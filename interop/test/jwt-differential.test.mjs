// Differential test: for one set of tokens (valid, expired, not yet valid, wrong aud,
// wrong iss, issuer off by a slash, tampered, alg none, HS256 signed with the RSA
// public key, unknown kid, foreign key under the right kid), the Rust SDK's
// JwtAuthLayer (examples/orders-api) and express-jwt + jwks-rsa (Auth0's Node API
// quickstart) give the same accept / reject answer. The issuer is a small Node server
// with a fresh RSA key: discovery and a JWKS on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';

import express from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import jwt from 'jsonwebtoken';

const AUDIENCE = 'https://orders.example.com/';

function rsaKey(kid) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

async function listen(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${server.address().port}`;
}

const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

function tokens(issuer, key, stranger, impostor) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: AUDIENCE, sub: 'client@clients', iat: now, exp: now + 600, scope: 'read:orders' };
  const sign = (c, k = key) => jwt.sign(c, k.privateKey, { algorithm: 'RS256', keyid: k.kid });
  const valid = sign(claims);
  const [h, p, s] = valid.split('.');
  const hs256Header = b64({ alg: 'HS256', typ: 'JWT', kid: key.kid });
  const pem = key.publicKey.export({ type: 'spki', format: 'pem' });
  const hs256Body = `${hs256Header}.${b64(claims)}`;
  return {
    valid,
    'valid, audience in a list': sign({ ...claims, aud: ['https://other.example.com/', AUDIENCE] }),
    expired: sign({ ...claims, exp: now - 120 }),
    'not yet valid': sign({ ...claims, nbf: now + 120 }),
    'wrong audience': sign({ ...claims, aud: 'https://other.example.com/' }),
    'wrong issuer': sign({ ...claims, iss: 'http://evil.example/' }),
    'issuer off by a slash': sign({ ...claims, iss: issuer.replace(/\/$/, '') }),
    tampered: `${h}.${b64({ ...claims, scope: 'read:orders write:orders' })}.${s}`,
    'flipped signature': `${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`,
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    'HS256 with the RSA public key': `${hs256Body}.${createHmac('sha256', pem).update(hs256Body).digest('base64url')}`,
    'unknown kid': sign(claims, stranger),
    'foreign key under the right kid': sign(claims, impostor),
  };
}

test('JwtAuthLayer and express-jwt + jwks-rsa agree on every token', async () => {
  if (!process.env.ORDERS_API_BIN) throw new Error('ORDERS_API_BIN is not set (scripts/test sets it)');
  const key = rsaKey('k1');
  const issuerServer = createServer();
  const origin = await listen(issuerServer);
  const issuer = `${origin}/`;
  issuerServer.on('request', (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${origin}/.well-known/jwks.json` }));
    } else if (req.url === '/.well-known/jwks.json') {
      res.end(JSON.stringify({ keys: [key.jwk] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });

  const app = express();
  app.get(
    '/orders',
    expressjwt({
      secret: jwksRsa.expressJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: `${origin}/.well-known/jwks.json` }),
      audience: AUDIENCE,
      issuer,
      algorithms: ['RS256'],
    }),
    (req, res) => res.json({ sub: req.auth.sub }),
  );
  app.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.code || err.name }));
  const expressServer = createServer(app);
  const expressBase = await listen(expressServer);

  const rust = spawn(process.env.ORDERS_API_BIN, [], {
    env: { PATH: process.env.PATH, ISSUER_BASE_URL: issuer, AUTH0_AUDIENCE: AUDIENCE, PORT: '0', RUST_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const rustBase = await new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`orders-api did not start: ${out}`)), 20_000);
      rust.stdout.on('data', (d) => {
        out += d;
        // Strip ANSI colours, then find the address it listens on.
        const m = out.replace(/\x1b\[[0-9;]*m/g, '').match(/listening address=(127\.0\.0\.1:\d+)/);
        if (m) {
          clearTimeout(timer);
          resolve(`http://${m[1]}`);
        }
      });
      rust.on('exit', (code) => reject(new Error(`orders-api exited with ${code}: ${out}`)));
    });
    const call = async (base, token) => {
      const r = await fetch(`${base}/orders`, { headers: { authorization: `Bearer ${token}` } });
      await r.arrayBuffer();
      return r.status;
    };
    const answers = {};
    for (const [name, token] of Object.entries(tokens(issuer, key, rsaKey('k2'), rsaKey('k1')))) {
      answers[name] = { rust: await call(rustBase, token), express: await call(expressBase, token) };
    }
    const accepted = ['valid', 'valid, audience in a list'];
    for (const [name, a] of Object.entries(answers)) {
      const expected = accepted.includes(name) ? 200 : 401;
      assert.deepEqual(a, { rust: expected, express: expected }, name);
    }
  } finally {
    rust.kill();
    expressServer.close();
    issuerServer.close();
  }
});
