// nextjs-auth0 v4's own session store reads the session cookies `portcullis cookie
// encrypt` (portcullis-sdk's session_cookie) writes, chunked or not, and `portcullis
// cookie decrypt` reads the cookies nextjs-auth0 writes: a Next.js app and a Rust service
// that share AUTH0_SECRET share the session.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

import { RequestCookies, ResponseCookies } from '@edge-runtime/cookies';
// Not in the package's exports: the store itself, as the SDK's middleware uses it.
import { StatelessSessionStore } from '../node_modules/@auth0/nextjs-auth0/dist/server/session/stateless-session-store.js';

const SECRET = 'a-32-character-or-longer-cookie-secret-for-tests';

function session(bigField) {
  const now = Math.floor(Date.now() / 1000);
  return {
    user: { sub: 'auth0|abc123', name: 'Ada Lovelace', email: 'ada@example.com', big: bigField },
    tokenSet: { accessToken: 'eyJ.at.sig', idToken: 'eyJ.id.sig', scope: 'openid profile', expiresAt: now + 3600 },
    internal: { sid: 'sid-xyz', createdAt: now },
    cart: { items: [1, 2, 3] },
  };
}

function portcullis(args, input) {
  const r = spawnSync(process.env.PORTCULLIS_BIN, ['cookie', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, AUTH0_SECRET: SECRET },
  });
  assert.equal(r.status, 0, `portcullis cookie ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `Set-Cookie: name=value; ...` lines -> a Cookie header, as a browser would send it. */
function cookieHeader(setCookieLines) {
  return setCookieLines
    .split('\n')
    .filter((l) => l.startsWith('Set-Cookie: ') && !/Max-Age=0/.test(l))
    .map((l) => l.slice('Set-Cookie: '.length).split(';')[0])
    .join('; ');
}

for (const [label, big] of [['small', 'x'], ['chunked', 'y'.repeat(9000)]]) {
  test(`nextjs-auth0 v4 reads a ${label} session cookie written by Portcullis`, async () => {
    const s = session(big);
    const out = portcullis(['encrypt'], JSON.stringify(s));
    const names = [...out.matchAll(/^Set-Cookie: ([^=]+)=/gm)].map((m) => m[1]);
    assert.deepEqual(names, label === 'small' ? ['__session'] : ['__session__0', '__session__1', '__session__2', '__session__3']);
    const store = new StatelessSessionStore({ secret: SECRET });
    const read = await store.get(new RequestCookies(new Headers({ cookie: cookieHeader(out) })));
    assert.ok(read, 'nextjs-auth0 could not read the cookie');
    const { exp, ...rest } = read;
    assert.deepEqual(rest, s);
    // A day from when it was written (a second may pass between the two programs).
    assert.ok(Math.abs(exp - (s.internal.createdAt + 86400)) <= 2, `exp ${exp}`);
    // Another secret reads nothing.
    const other = new StatelessSessionStore({ secret: 'another-secret-of-at-least-32-characters' });
    assert.equal(await other.get(new RequestCookies(new Headers({ cookie: cookieHeader(out) }))), null);
  });

  test(`Portcullis reads a ${label} session cookie written by nextjs-auth0 v4`, async () => {
    const s = session(big);
    const store = new StatelessSessionStore({ secret: SECRET });
    const headers = new Headers();
    await store.set(new RequestCookies(new Headers()), new ResponseCookies(headers), s);
    const lines = headers.getSetCookie().map((l) => `Set-Cookie: ${l}`).join('\n');
    const out = JSON.parse(portcullis(['decrypt'], lines));
    assert.equal(out.format, 'nextjs-auth0 v4');
    const { exp, ...rest } = out.payload;
    assert.deepEqual(rest, s);
    assert.ok(Math.abs(exp - (s.internal.createdAt + 86400)) <= 2, `exp ${exp}`);
  });
}
