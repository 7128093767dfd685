// Starts the real `portcullis` binary on a free port with a fresh data dir, and stops it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = process.env.PORTCULLIS_BIN;

// `dataDir`: serve an existing data dir (one prepared with `portcullis admin ...`, see
// cli.mjs) instead of a fresh one; it is removed on stop all the same.
export async function startPortcullis({ args = [], env = {}, dataDir = newDataDir() } = {}) {
  if (!BIN) throw new Error('PORTCULLIS_BIN is not set (scripts/test sets it)');
  const child = spawn(
    BIN,
    ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--log-format', 'json', ...args],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const lines = createInterface({ input: child.stderr });
  const started = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('portcullis did not start in 20 s')), 20_000);
    child.on('exit', (code) => reject(new Error(`portcullis exited with ${code}`)));
    lines.on('line', (line) => {
      let event;
      try { event = JSON.parse(line); } catch { return; }
      if (event.issuer && event.address) {
        clearTimeout(timer);
        resolve(event);
      }
    });
  });
  return {
    issuer: started.issuer,
    dataDir,
    stdout: () => stdout,
    async waitForStdout(text, ms = 5000) {
      const until = Date.now() + ms;
      while (!stdout.includes(text)) {
        if (Date.now() > until) throw new Error(`"${text}" not printed within ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function newDataDir() {
  return mkdtempSync(join(tmpdir(), 'portcullis-interop-'));
}
