// Drives `portcullis admin ...` on a data dir, as an operator would, before the server
// starts (running servers cache configuration for a few seconds).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { newDataDir } from './server.mjs';

/** Runs `portcullis admin <args> --data-dir <dataDir>`; asserts success, returns stdout. */
export function admin(dataDir, args, input) {
  const r = spawnSync(process.env.PORTCULLIS_BIN, ['admin', ...args, '--data-dir', dataDir], {
    input,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `portcullis admin ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The id in the `created <id> (...)` line that admin commands print. */
export function createdId(stdout) {
  const m = stdout.match(/^created (\S+) /m);
  assert.ok(m, `no "created" line in: ${stdout}`);
  return m[1];
}

/** A bootstrapped data dir (the bootstrap's own secrets are not needed here). */
export function bootstrappedDataDir() {
  const dataDir = newDataDir();
  admin(dataDir, ['bootstrap']);
  return dataDir;
}

/** `admin apps create`: the client id and, for confidential types, the secret. */
export function createApp(dataDir, args) {
  const out = admin(dataDir, ['apps', 'create', ...args]);
  const secret = out.match(/^client secret \(shown once; only its hash is stored\): (\S+)$/m)?.[1];
  return { clientId: createdId(out), secret };
}

/** `admin users create` with the password on standard input; returns the user id. */
export function createUser(dataDir, email, password) {
  return createdId(admin(dataDir, ['users', 'create', '--email', email], `${password}\n`));
}
