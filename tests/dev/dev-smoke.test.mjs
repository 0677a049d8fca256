// dev-smoke.test.mjs: the README's first command as a newcomer runs it. scripts/dev serves the
// Worker on a spare loopback port with its own local D1; one event is posted with fetch and read
// back with `wrangler d1 execute --local`, exactly as the README says.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const root = new URL('../../', import.meta.url).pathname;
const SESSION = {
  install_id: '8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d',
  session_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  version: '0.4.0', python: '3.12', os: 'darwin', arch: 'arm64', adapter: 'crewai', timestamp: 1745891234.5,
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

let dev;
let persist;
let base;
let log = '';

before(async () => {
  persist = mkdtempSync(join(tmpdir(), 'phonehome-dev-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dev = spawn(join(root, 'scripts/dev'), {
    env: { ...process.env, PORT: String(port), PHONEHOME_PERSIST_DIR: persist },
    detached: true, // its own process group, so after() stops wrangler and workerd with it
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scripts/dev not ready after 180 s:\n${log}`)), 180_000);
    const watch = (chunk) => {
      log += chunk;
      if (/Ready on http/.test(log)) { clearTimeout(timer); resolve(); }
    };
    dev.stdout.on('data', watch);
    dev.stderr.on('data', watch);
    dev.on('exit', (code) => { clearTimeout(timer); reject(new Error(`scripts/dev exited with ${code}:\n${log}`)); });
  });
  await ready;
});

after(() => {
  if (dev?.pid) { try { process.kill(-dev.pid, 'SIGTERM'); } catch { /* already gone */ } }
  if (persist) rmSync(persist, { recursive: true, force: true });
});

function storedRows() {
  const out = execFileSync('npx', ['--no-install', 'wrangler', 'd1', 'execute', 'phonehome', '--local',
    '--persist-to', persist, '--json', '--command',
    'SELECT product, event, install_id, os, runtime, runtime_version FROM events'],
  { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }).toString();
  return JSON.parse(out)[0].results;
}

test('scripts/dev stores a posted event once, visible through wrangler d1 execute --local', async () => {
  const post = () => fetch(`${base}/v1/agentsonar/session`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SESSION),
  });
  const first = await post();
  assert.equal(first.status, 202, await first.clone().text());
  assert.equal((await first.json()).results[0].status, 'accepted');
  assert.deepEqual(storedRows(), [{
    product: 'agentsonar', event: 'session', install_id: SESSION.install_id,
    os: 'darwin', runtime: 'python', runtime_version: '3.12',
  }]);

  const second = await post();
  assert.equal((await second.json()).results[0].status, 'duplicate');
  assert.equal(storedRows().length, 1);
});
