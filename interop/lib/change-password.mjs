// Run as: node change-password.mjs <issuer> <client_id> <known email> <unknown email> <outbox dir> <new password>
// (with NODE_EXTRA_CA_CERTS trusting the server's CA). node-auth0's AuthenticationClient
// asks for a reset of a known and an unknown address, then the link mailed to the
// outbox is followed and used as a browser would. Prints what it saw as JSON.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { AuthenticationClient } from 'auth0';

const [issuer, clientId, known, unknown, outbox, newPassword] = process.argv.slice(2);
const domain = new URL(issuer).host;
const auth = new AuthenticationClient({ domain, clientId });

const ask = async (email) => {
  const r = await auth.database.changePassword({ email, connection: 'Username-Password-Authentication' });
  return { status: r.status, data: r.data, type: r.headers.get('content-type') };
};
const result = { known: await ask(known), unknown: await ask(unknown) };

let refused;
try {
  await auth.database.changePassword({ email: known, connection: 'no-such-connection' });
} catch (e) {
  refused = { status: e.statusCode, body: JSON.parse(e.body) };
}
result.refused = refused;

const files = readdirSync(outbox).filter((f) => f.endsWith('.eml'));
result.mails = files.length;
const mail = readFileSync(join(outbox, files[0]), 'utf8');
result.to = mail.match(/^To: (.*)\r$/m)?.[1];
const link = mail.match(/^(https:\S+\/u\/reset-password\?ticket=\S+)\r$/m)?.[1];
result.link = link;

const page = await fetch(link);
const html = await page.text();
const csrf = page.headers.get('set-cookie').match(/portcullis_csrf=([^;]+)/)[1];
const field = (name) => html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`))?.[1];
result.form = { status: page.status, csrf: field('csrf') === csrf, ticket: link.endsWith(field('ticket')) };
const post = await fetch(new URL('/u/reset-password', issuer), {
  method: 'POST',
  redirect: 'manual',
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    origin: new URL(issuer).origin,
    'sec-fetch-site': 'same-origin',
    cookie: `__Host-portcullis_csrf=${csrf}`,
  },
  body: new URLSearchParams({ csrf, ticket: field('ticket'), password: newPassword, password_confirm: newPassword }),
});
result.reset = { status: post.status, location: post.headers.get('location') };
result.again = (await fetch(link)).status;
console.log(JSON.stringify(result));
