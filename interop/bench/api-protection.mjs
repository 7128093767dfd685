// What protecting an API costs, under wrk on this machine (issue 6): the Rust orders API
// (examples/orders-api, JwtAuthLayer + require_scope) against Express with express-jwt +
// jwks-rsa (Auth0's Node API quickstart), each also without protection. Every server
// is pinned to core 0 (taskset -c 0), wrk to core 1; the same RS256 token for all.
//
// Run from the repository root after `cargo build --release -p portcullis-example-orders-api`:
//   node interop/bench/api-protection.mjs [--duration 10s] [--connections 16]
// Needs wrk and taskset. Prints a table of requests/s and non-2xx counts; exits 1 if a
// protected server refused the valid token.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';

import jwt from 'jsonwebtoken';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const DURATION = arg('duration', '10s');
const CONNECTIONS = arg('connections', '16');
const AUDIENCE = 'https://orders.example.com/';
const target = process.env.CARGO_TARGET_DIR || `${process.env.HOME}/.cache/portcullis-target`;
const RUST_BIN = arg('bin', `${target}/release/portcullis-example-orders-api`);
const expressScript = fileURLToPath(new URL('./express-api.mjs', import.meta.url));

// The issuer: discovery and a JWKS with a fresh RSA-2048 key, on loopback.
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };
const issuerServer = createServer();
await new Promise((r) => issuerServer.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${issuerServer.address().port}`;
const issuer = `${origin}/`;
issuerServer.on('request', (req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer, jwks_uri: `${origin}/.well-known/jwks.json` }));
  else if (req.url === '/.well-known/jwks.json') res.end(JSON.stringify({ keys: [jwk] }));
  else { res.statusCode = 404; res.end('{}'); }
});
const token = jwt.sign(
  { sub: 'client@clients', scope: 'read:orders', permissions: ['read:orders'] },
  privateKey,
  { algorithm: 'RS256', keyid: 'bench', issuer, audience: AUDIENCE, expiresIn: '1h' },
);

function start(cmd, args, env = {}) {
  const child = spawn('taskset', ['-c', '0', cmd, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.replace(/\x1b\[[0-9;]*m/g, '').match(/listening (?:address=)?(?:http:\/\/)?(127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: `http://${m[1]}` });
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
}

function wrk(url, withToken) {
  const args = ['-c', '1', 'wrk', '-t1', `-c${CONNECTIONS}`, `-d${DURATION}`, '--latency'];
  if (withToken) args.push('-H', `Authorization: Bearer ${token}`);
  args.push(url);
  const r = spawnSync('taskset', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(r.stdout.match(/Requests\/sec:\s+([\d.]+)/)[1]);
  const non2xx = Number(r.stdout.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  const p99 = r.stdout.match(/99%\s+(\S+)/)?.[1];
  return { rps, non2xx, p99 };
}

const servers = [];
try {
  const rust = await start(RUST_BIN, [], { ISSUER_BASE_URL: issuer, AUTH0_AUDIENCE: AUDIENCE, PORT: '0', RUST_LOG: 'warn,portcullis_example_orders_api=info' });
  servers.push(rust.child);
  const expressOpen = await start(process.execPath, [expressScript, 'open', issuer, AUDIENCE]);
  servers.push(expressOpen.child);
  const expressJwt = await start(process.execPath, [expressScript, 'jwt', issuer, AUDIENCE]);
  servers.push(expressJwt.child);
  // Warm up (JWKS fetched, JIT warm).
  for (const [base, path] of [[rust.base, '/orders'], [expressJwt.base, '/orders']]) {
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (r.status !== 200) throw new Error(`${base}${path} refused the token: ${r.status} ${await r.text()}`);
  }
  spawnSync('taskset', ['-c', '1', 'wrk', '-t1', '-c4', '-d2s', '-H', `Authorization: Bearer ${token}`, `${expressJwt.base}/orders`]);
  const rows = [
    ['Rust, unprotected (GET /)', wrk(`${rust.base}/`, false)],
    ['Rust, unprotected, token header sent (GET /)', wrk(`${rust.base}/`, true)],
    ['Rust, JwtAuthLayer RS256 (GET /orders)', wrk(`${rust.base}/orders`, true)],
    ['Express, unprotected (GET /orders)', wrk(`${expressOpen.base}/orders`, false)],
    ['Express, express-jwt RS256 (GET /orders)', wrk(`${expressJwt.base}/orders`, true)],
  ];
  console.log(`wrk -t1 -c${CONNECTIONS} -d${DURATION}, servers on core 0, wrk on core 1\n`);
  console.log('| server | requests/s | p99 | non-2xx |\n|---|---|---|---|');
  for (const [name, r] of rows) console.log(`| ${name} | ${Math.round(r.rps)} | ${r.p99} | ${r.non2xx} |`);
  const ratio = rows[2][1].rps / rows[4][1].rps;
  const added = 1e6 / rows[2][1].rps - 1e6 / rows[1][1].rps;
  console.log(`\nprotected Rust / protected Express: ${ratio.toFixed(1)}x (target >= 5x)`);
  console.log(`server CPU added by the layer, per request: ${added.toFixed(1)} µs (1/rps difference, same headers)`);
  if (rows[2][1].non2xx || rows[4][1].non2xx) process.exitCode = 1;
} finally {
  for (const s of servers) s.kill();
  issuerServer.close();
}
