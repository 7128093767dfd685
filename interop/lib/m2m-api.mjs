// Run as a child process (NODE_EXTRA_CA_CERTS must be set at start): node-auth0 gets a
// client_credentials token from Portcullis, and two APIs written from Auth0's Node
// quickstarts check it: express-jwt + jwks-rsa, and express-oauth2-jwt-bearer.
// Prints one JSON object with the status each request got.
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';
import { auth } from 'express-oauth2-jwt-bearer';
import { AuthenticationClient } from 'auth0';

const [domain, clientId, clientSecret, audience] = process.argv.slice(2);

const authClient = new AuthenticationClient({ domain, clientId, clientSecret });
const { data } = await authClient.oauth.clientCredentialsGrant({ audience });

const app = express();
// Auth0's "Node (Express) API" quickstart, express-jwt flavour.
const jwtCheck = expressjwt({
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
app.get('/jwt/orders', jwtCheck, (req, res) => res.json({ sub: req.auth.sub, gty: req.auth.gty }));
// The current quickstart: express-oauth2-jwt-bearer (discovery, then JWKS).
const bearer = auth({ audience, issuerBaseURL: `https://${domain}/`, tokenSigningAlg: 'RS256' });
app.get('/bearer/orders', bearer, (req, res) => res.json({ sub: req.auth.payload.sub }));
app.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.code || err.name }));

const server = app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${server.address().port}`;

const [h, p, s] = data.access_token.split('.');
const flipped = s[5] === 'A' ? 'B' : 'A';
const tampered = `${h}.${p}.${s.slice(0, 5)}${flipped}${s.slice(6)}`;
const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url')), sub: 'evil@clients' })).toString('base64url')}.${s}`;

const result = { token_type: data.token_type, expires_in: data.expires_in, scope: data.scope };
for (const api of ['jwt', 'bearer']) {
  const call = async (token) => {
    const r = await fetch(`${base}/${api}/orders`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: r.status, body: await r.json() };
  };
  result[api] = {
    valid: await call(data.access_token),
    tampered: (await call(tampered)).status,
    forged: (await call(forged)).status,
    none: (await call(null)).status,
  };
}
console.log(JSON.stringify(result));
server.close();
