// The seeds' quickstart: an Express app with express-openid-connect and its default
// response_type=id_token + response_mode=form_post logs a user in through Portcullis.
// The sample application's registered callback is http://localhost:3000/callback, so
// the app runs on port 3000 as in Auth0's quickstart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { startPortcullis } from '../lib/server.mjs';
import { Browser } from '../lib/browser.mjs';

const appScript = fileURLToPath(new URL('../lib/eoc-app.mjs', import.meta.url));
const EMAIL = 'linus@example.com';
const PASSWORD = 'another long password';
const APP = 'http://localhost:3000';

function envValue(stdout, name) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `${name} missing from the bootstrap output`);
  return line.slice(name.length + 1);
}

async function startApp(env) {
  const child = spawn(process.execPath, [appScript], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`the app exited with ${code}`)));
  });
  return child;
}

test('express-openid-connect quickstart logs in with id_token + form_post', async () => {
  const server = await startPortcullis();
  let app;
  try {
    await server.waitForStdout('PORTCULLIS_M2M_AUDIENCE=');
    const out = server.stdout();
    const created = spawnSync(
      process.env.PORTCULLIS_BIN,
      ['admin', 'users', 'create', '--email', EMAIL, '--name', 'Linus', '--data-dir', server.dataDir],
      { input: `${PASSWORD}\n`, encoding: 'utf8' },
    );
    assert.equal(created.status, 0, created.stderr);
    app = await startApp({
      ISSUER_BASE_URL: envValue(out, 'ISSUER_BASE_URL'),
      BASE_URL: envValue(out, 'BASE_URL'),
      CLIENT_ID: envValue(out, 'CLIENT_ID'),
      SECRET: envValue(out, 'SECRET'),
    });
    const issuer = new URL(server.issuer);
    const browser = new Browser();

    const start = await browser.request(`${APP}/login`);
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get('location'));
    assert.equal(authorize.origin + authorize.pathname, `${issuer.origin}/authorize`);
    assert.equal(authorize.searchParams.get('response_type'), 'id_token');
    assert.equal(authorize.searchParams.get('response_mode'), 'form_post');

    const page = await browser.follow(authorize.href, issuer.origin);
    assert.equal(page.res.status, 200);
    const done = await browser.login(await page.res.text(), page.url, EMAIL, PASSWORD, issuer.origin);
    // form_post: a page that posts the ID token to the app's callback.
    assert.equal(done.res.status, 200);
    const html = await done.res.text();
    const action = html.match(/<form[^>]*action="([^"]+)"/)[1].replaceAll('&#x2f;', '/').replaceAll('&amp;', '&');
    assert.equal(action, `${APP}/callback`);
    const fields = new URLSearchParams();
    for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      fields.append(m[1], m[2].replaceAll('&#x2f;', '/').replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
    }
    assert.ok(fields.get('id_token'));
    assert.equal(fields.get('iss'), server.issuer);
    const callback = await browser.request(action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields,
    });
    assert.equal(callback.status, 302, await callback.text());
    const profile = await browser.request(`${APP}/profile`);
    assert.equal(profile.status, 200);
    const user = await profile.json();
    assert.equal(user.email, EMAIL);
    assert.equal(user.name, 'Linus');
    assert.match(user.sub, /^auth0\|[0-9a-f]{24}$/);
  } finally {
    app?.kill();
    await server.stop();
  }
});
