// panva's oidc-provider as the OpenID provider of the Rust SDK's quickstart, run as a
// child process: a confidential client for http://localhost:3000 with back-channel
// logout, dev interactions (any login and password sign in), PKCE required. Prints
// {"issuer": ...} once listening.
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

export const CLIENT = {
  client_id: 'rust-quickstart',
  client_secret: 'a-client-secret-for-the-rust-quickstart',
  redirect_uris: ['http://localhost:3000/auth/callback'],
  post_logout_redirect_uris: ['http://localhost:3000'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_post',
  // 127.0.0.1: the quickstart listens on IPv4 loopback, and Node's fetch may try
  // localhost as ::1 first.
  backchannel_logout_uri: 'http://127.0.0.1:3000/auth/backchannel-logout',
  backchannel_logout_session_required: true,
};

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [CLIENT],
    features: {
      devInteractions: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: `${id}@example.com`, email_verified: true, name: 'Grace Hopper' }),
    }),
    cookies: { keys: ['interop-cookie-key-not-secret'] },
    // oidc-provider refuses to post to special-use addresses (SSRF protection); the
    // quickstart is on loopback, so this test provider sends without that check.
    fetch: (url, { dispatcher, ...options }) => globalThis.fetch(url, options),
  });
  provider.on('backchannel.error', (ctx, err, client) => console.error('backchannel logout failed:', client.clientId, err.message, err.cause?.message ?? ''));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
}
