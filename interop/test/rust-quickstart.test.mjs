// The Rust SDK's quickstart (examples/quickstart) logs a user in, shows the profile and
// logs out, against a real Portcullis and against panva's oidc-provider (where the
// provider also ends the app's session by back-channel logout). The app runs as a
// child process on http://localhost:3000, configured only by the Auth0 variables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { RequestCookies } from '@edge-runtime/cookies';
import { StatelessSessionStore } from '../node_modules/@auth0/nextjs-auth0/dist/server/session/stateless-session-store.js';

import { startPortcullis } from '../lib/server.mjs';
import { Browser } from '../lib/browser.mjs';
import { CLIENT } from '../lib/oidc-provider.mjs';

const APP = 'http://localhost:3000';
const SECRET = 'the-quickstart-cookie-secret-of-32-plus-characters';
const providerScript = fileURLToPath(new URL('../lib/oidc-provider.mjs', import.meta.url));

function envValue(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} missing from the bootstrap output`);
  return line.slice(name.length + 1);
}

/** Starts a child and resolves once a stdout line matches `ready`; returns [child, match]. */
async function startChild(cmd, args, env, ready) {
  const child = spawn(cmd, args, {
    env: { PATH: process.env.PATH, ...env },
    // An empty directory: the quickstart reads no stray .env.
    cwd: mkdtempSync(join(tmpdir(), 'quickstart-')),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const match = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 20_000);
    child.stdout.on('data', (d) => {
      if (process.env.QUICKSTART_DEBUG) process.stderr.write(d);
      out += d;
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${out}`)));
  });
  return [child, match];
}

function startQuickstart(env) {
  if (!process.env.QUICKSTART_BIN) throw new Error('QUICKSTART_BIN is not set (scripts/test sets it)');
  return startChild(process.env.QUICKSTART_BIN, [], { RUST_LOG: 'info', AUTH0_SECRET: SECRET, APP_BASE_URL: APP, ...env }, /listening/);
}

/** The hidden inputs and action of the first form in `html`, entities decoded. */
function form(html, pageUrl) {
  const decode = (s) => s.replaceAll('&amp;', '&').replaceAll('&#x2f;', '/').replaceAll('&quot;', '"');
  const action = new URL(decode(html.match(/<form[^>]*action="([^"]+)"/)[1]), pageUrl);
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) {
    fields.append(m[1], decode(m[2]));
  }
  return { action, fields };
}

async function post(browser, url, fields, origin) {
  return browser.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: fields,
  });
}

test('the Rust quickstart logs in and out through Portcullis', async () => {
  const server = await startPortcullis();
  let app;
  try {
    await server.waitForStdout('PORTCULLIS_M2M_AUDIENCE=');
    const out = server.stdout();
    const email = 'ferris@example.com';
    const password = 'a long enough password';
    const created = spawnSync(
      process.env.PORTCULLIS_BIN,
      ['admin', 'users', 'create', '--email', email, '--name', 'Ferris', '--data-dir', server.dataDir],
      { input: `${password}\n`, encoding: 'utf8' },
    );
    assert.equal(created.status, 0, created.stderr);
    [app] = await startQuickstart({
      AUTH0_DOMAIN: envValue(out, 'AUTH0_DOMAIN'),
      AUTH0_CLIENT_ID: envValue(out, 'AUTH0_CLIENT_ID'),
      AUTH0_CLIENT_SECRET: envValue(out, 'AUTH0_CLIENT_SECRET'),
    });
    const issuer = new URL(server.issuer);
    const browser = new Browser();

    const guarded = await browser.request(`${APP}/profile`, { headers: { accept: 'text/html' } });
    assert.equal(guarded.status, 303);
    assert.equal(guarded.headers.get('location'), `${APP}/auth/login?returnTo=%2Fprofile`);
    const start = await browser.request(guarded.headers.get('location'));
    assert.equal(start.status, 303);
    const authorize = new URL(start.headers.get('location'));
    assert.equal(authorize.origin + authorize.pathname, `${issuer.origin}/authorize`);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');

    const page = await browser.follow(authorize.href, issuer.origin);
    assert.equal(page.res.status, 200);
    const done = await browser.login(await page.res.text(), page.url, email, password, issuer.origin);
    assert.ok(done.left, 'the login did not return to the app');
    assert.equal(done.left.origin + done.left.pathname, `${APP}/auth/callback`);
    const callback = await browser.request(done.left.href);
    assert.equal(callback.status, 303, await callback.text());
    assert.equal(callback.headers.get('location'), `${APP}/profile`);

    const profile = await browser.request(`${APP}/profile`);
    assert.equal(profile.status, 200);
    const html = await profile.text();
    assert.match(html, /&quot;email&quot;: &quot;ferris@example.com&quot;/);
    assert.match(html, /&quot;name&quot;: &quot;Ferris&quot;/);

    // nextjs-auth0 v4's own store reads the session the Rust app wrote.
    const store = new StatelessSessionStore({ secret: SECRET });
    const cookie = `__session=${browser.cookies.get('__session')}`;
    const read = await store.get(new RequestCookies(new Headers({ cookie })));
    assert.equal(read.user.email, email);
    assert.ok(read.tokenSet.idToken && read.tokenSet.accessToken);

    const logout = await browser.request(`${APP}/auth/logout`);
    assert.equal(logout.status, 303);
    const end = new URL(logout.headers.get('location'));
    assert.equal(end.origin + end.pathname, `${issuer.origin}/oidc/logout`);
    assert.equal(end.searchParams.get('post_logout_redirect_uri'), APP);
    assert.equal(browser.cookies.get('__session'), undefined);
    const back = await browser.request(end.href);
    assert.equal(back.status, 302);
    assert.equal(back.headers.get('location'), APP);
    const again = await browser.request(`${APP}/profile`, { headers: { accept: 'text/html' } });
    assert.equal(again.status, 303);
  } finally {
    app?.kill();
    await server.stop();
  }
});

test('the Rust quickstart logs in through oidc-provider, which logs it out by back-channel', async () => {
  const [provider, ready] = await startChild(process.execPath, [providerScript], {}, /\{"issuer":"([^"]+)"\}/);
  const issuer = ready[1];
  let app;
  try {
    [app] = await startQuickstart({
      ISSUER_BASE_URL: issuer,
      AUTH0_CLIENT_ID: CLIENT.client_id,
      AUTH0_CLIENT_SECRET: CLIENT.client_secret,
      AUTH0_SCOPE: 'openid profile email',
      SESSION_STORE: 'memory',
    });
    const origin = new URL(issuer).origin;
    const browser = new Browser();

    const start = await browser.request(`${APP}/auth/login?returnTo=/profile`);
    assert.equal(start.status, 303);
    assert.equal(new URL(start.headers.get('location')).origin, origin);
    // Dev interactions: a login form (any login), then a consent form.
    let step = await browser.follow(start.headers.get('location'), origin);
    let left;
    for (let i = 0; i < 4 && !left; i++) {
      assert.equal(step.res.status, 200);
      const html = await step.res.text();
      const { action, fields } = form(html, step.url);
      if (/name="login"/.test(html)) {
        fields.set('login', 'grace');
        fields.set('password', 'anything');
      }
      const res = await post(browser, action.href, fields, origin);
      assert.equal(res.status, 303, await res.text());
      const next = await browser.follow(new URL(res.headers.get('location'), action).href, origin);
      left = next.left;
      step = next;
    }
    assert.ok(left, 'the provider did not send the browser back');
    assert.equal(left.origin + left.pathname, `${APP}/auth/callback`);
    assert.equal(left.searchParams.get('iss'), issuer);
    const callback = await browser.request(left.href);
    assert.equal(callback.status, 303, await callback.text());
    assert.equal(callback.headers.get('location'), `${APP}/profile`);
    const profile = await browser.request(`${APP}/profile`);
    assert.equal(profile.status, 200);
    assert.match(await profile.text(), /grace@example.com/);
    const token = await browser.request(`${APP}/auth/access-token`);
    assert.equal(token.status, 200);
    assert.ok((await token.json()).token);
    // A stateful session: only an id in the cookie.
    assert.ok(browser.cookies.get('__session').length < 300);

    // Logging out at the provider (not through the app) ends the app's session too:
    // oidc-provider posts a logout token to /auth/backchannel-logout.
    const confirm = await browser.request(`${issuer}/session/end`);
    assert.equal(confirm.status, 200);
    const { action, fields } = form(await confirm.text(), `${issuer}/session/end`);
    fields.set('logout', 'yes');
    const ended = await post(browser, action.href, fields, origin);
    assert.equal(ended.status, 303, await ended.text());
    const after = await browser.request(`${APP}/profile`, { headers: { accept: 'text/html' } });
    assert.equal(after.status, 303, 'the session survived the back-channel logout');
    assert.match(after.headers.get('location'), /\/auth\/login\?returnTo=%2Fprofile$/);
  } finally {
    app?.kill();
    provider.kill();
  }
});
