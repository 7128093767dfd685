// jwks-rsa (what express-jwt uses with Auth0) reads Portcullis's key set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import jwksRsa from 'jwks-rsa';

import { startPortcullis } from '../lib/server.mjs';

test('jwks-rsa gets the RS256 signing key by kid', async () => {
  const server = await startPortcullis();
  try {
    const discovery = await (await fetch(`${server.issuer}.well-known/openid-configuration`)).json();
    assert.equal(discovery.issuer, server.issuer);
    const client = jwksRsa({ jwksUri: discovery.jwks_uri });
    const keys = await client.getSigningKeys();
    assert.equal(keys.length, 1);
    assert.equal(keys[0].alg, 'RS256');
    const key = await client.getSigningKey(keys[0].kid);
    const pub = createPublicKey(key.getPublicKey());
    assert.equal(pub.asymmetricKeyType, 'rsa');
    assert.equal(pub.asymmetricKeyDetails.modulusLength, 2048);
    await assert.rejects(client.getSigningKey('no-such-kid'), { name: 'SigningKeyNotFoundError' });
  } finally {
    await server.stop();
  }
});

test('--tls-self-signed: Node trusts it with NODE_EXTRA_CA_CERTS', async () => {
  const server = await startPortcullis({ args: ['--tls-self-signed'] });
  try {
    assert.match(server.issuer, /^https:\/\/127\.0\.0\.1:\d+\/$/);
    const ca = join(server.dataDir, 'tls', 'ca.pem');
    // NODE_EXTRA_CA_CERTS is read at process start, so the client runs in a child.
    const script = `
      const jwksRsa = require('jwks-rsa');
      jwksRsa({ jwksUri: process.argv[1] + '.well-known/jwks.json' })
        .getSigningKeys()
        .then((keys) => { console.log(keys.length + ' ' + keys[0].alg); })
        .catch((e) => { console.error(e.message); process.exit(1); });`;
    const trusted = spawnSync(process.execPath, ['-e', script, server.issuer], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
      encoding: 'utf8',
    });
    assert.equal(trusted.status, 0, trusted.stderr);
    assert.equal(trusted.stdout.trim(), '1 RS256');
    // Without the CA the certificate is (rightly) refused.
    const untrusted = spawnSync(process.execPath, ['-e', script, server.issuer], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
      encoding: 'utf8',
    });
    assert.equal(untrusted.status, 1);
    assert.match(untrusted.stderr, /self[- ]signed|unable to verify|local issuer/i);
  } finally {
    await server.stop();
  }
});
