// The express-openid-connect quickstart, unchanged but for its .env values: run as a
// child process so it reads them from the environment as the quickstart does.
import express from 'express';
import eoc from 'express-openid-connect';

const { auth, requiresAuth } = eoc;
const app = express();
app.use(
  auth({
    issuerBaseURL: process.env.ISSUER_BASE_URL,
    baseURL: process.env.BASE_URL,
    clientID: process.env.CLIENT_ID,
    secret: process.env.SECRET,
    authRequired: false,
  }),
);
app.get('/', (req, res) => res.json({ authenticated: req.oidc.isAuthenticated() }));
app.get('/profile', requiresAuth(), (req, res) => res.json(req.oidc.user));
const port = Number(new URL(process.env.BASE_URL).port);
app.listen(port, '127.0.0.1', () => console.log('listening'));
