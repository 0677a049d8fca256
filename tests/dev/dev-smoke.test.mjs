// dev-smoke.test.mjs: the README's first command as a newcomer runs it. scripts/dev serves the
// Worker on a spare loopback port with its own local D1; one event is posted with fetch and read
// back with `wrangler d1 execute --local`, exactly as the README says.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { root, startDev } from '../../scripts/lib/dev-server.mjs';

const SESSION = {
  install_id: '8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d',
  session_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  version: '0.4.0', python: '3.12', os: 'darwin', arch: 'arm64', adapter: 'crewai', timestamp: 1745891234.5,
};

let dev;
let persist;
let base;

before(async () => {
  dev = await startDev({ label: 'dev-smoke' });
  ({ persist, url: base } = dev);
});

after(() => dev?.stop());

function storedRows() {
  const out = execFileSync('npx', ['--no-install', 'wrangler', 'd1', 'execute', 'phonehome', '--local',
    '--persist-to', persist, '--json', '--command',
    'SELECT product, event, install_id, os, runtime, runtime_version FROM events'],
  { cwd: root, env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }).toString();
  return JSON.parse(out)[0].results;
}

test('scripts/dev stores a posted event once, visible through wrangler d1 execute --local', async () => {
  // A failed connection says nothing by itself: the server's last words go with it. Each post opens
  // a connection of its own, as curl does: fetch would reuse the first one, which the server closes
  // after five idle seconds, and `wrangler d1 execute` in between takes about that on a busy machine.
  const post = () => fetch(`${base}/v1/agentsonar/session`, {
    method: 'POST', headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify(SESSION),
  }).catch((error) => { throw new Error(`${error.message} (${error.cause?.message}); scripts/dev printed:\n${dev.logTail()}`); });
  const first = await post();
  assert.equal(first.status, 200, await first.clone().text());
  assert.equal((await first.json()).results[0].status, 'accepted');
  assert.deepEqual(storedRows(), [{
    product: 'agentsonar', event: 'session', install_id: SESSION.install_id,
    os: 'darwin', runtime: 'python', runtime_version: '3.12',
  }]);

  const second = await post();
  assert.equal((await second.json()).results[0].status, 'duplicate');
  assert.equal(storedRows().length, 1);
});
