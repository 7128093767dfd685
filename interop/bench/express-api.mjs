// The Express side of bench/api-protection.mjs: GET /orders, open or behind express-jwt +
// jwks-rsa (Auth0's Node API quickstart). Run as: node express-api.mjs open|jwt ISSUER AUDIENCE
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';

const [mode, issuer, audience] = process.argv.slice(2);
const app = express();
const orders = (req, res) => res.json({ orders: [{ id: 1, item: 'a portcullis' }], for: req.auth?.sub ?? null });
if (mode === 'jwt') {
  const check = expressjwt({
    secret: jwksRsa.expressJwtSecret({ cache: true, rateLimit: true, jwksRequestsPerMinute: 5, jwksUri: `${issuer}.well-known/jwks.json` }),
    audience,
    issuer,
    algorithms: ['RS256'],
  });
  app.get('/orders', check, orders);
} else {
  app.get('/orders', orders);
}
app.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.code || err.name }));
const server = app.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
