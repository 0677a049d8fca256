// clients.test.mjs: the client kit of docs/PROTOCOL.md, run as programs against the real worker
// listening on loopback: each example delivers an event, stays silent when DO_NOT_TRACK=1, and
// never fails the program it lives in, even with nothing listening.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startWorker } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const clients = `${root}docs/clients`;

function run(command, args, env) {
  const started = Date.now();
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

const CLIENTS = {
  python: (id) => ['python3', [`${clients}/phonehome.py`, id]],
  node: (id) => [process.execPath, [`${clients}/phonehome.mjs`, id]],
  shell: (id) => ['sh', [`${clients}/phonehome.sh`, 'agentsonar', 'session', JSON.stringify({
    install_id: id, session_id: randomUUID(), version: '0.4.0', os: 'linux',
  })]],
};

describe('the client kit', () => {
  let worker;
  before(async () => { worker = await startWorker({ port: 0 }); });
  after(async () => { await worker?.close(); });

  const storedFor = async (id) => (await worker.rows(`SELECT install_id FROM events WHERE install_id = '${id}'`)).length;

  for (const [name, command] of Object.entries(CLIENTS)) {
    test(`${name}: delivers an event`, async () => {
      const id = randomUUID();
      const result = run(...command(id), { PHONEHOME_URL: worker.url.href, DO_NOT_TRACK: '' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(await storedFor(id), 1, `${name} stored nothing; stderr: ${result.stderr}`);
    });

    test(`${name}: sends nothing when DO_NOT_TRACK=1`, async () => {
      const id = randomUUID();
      const result = run(...command(id), { PHONEHOME_URL: worker.url.href, DO_NOT_TRACK: '1' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(await storedFor(id), 0);
    });

    test(`${name}: with nothing listening, exits cleanly within its timeout`, () => {
      const result = run(...command(randomUUID()), { PHONEHOME_URL: 'http://127.0.0.1:9', DO_NOT_TRACK: '' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '', 'nothing is printed into the host program');
      assert.ok(result.seconds < 10, `took ${result.seconds} s`);
    });
  }

  test('docs/PROTOCOL.md shows each client exactly as tested', () => {
    const protocol = readFileSync(`${root}docs/PROTOCOL.md`, 'utf8');
    for (const file of ['phonehome.py', 'phonehome.mjs', 'phonehome.sh', 'phonehome.go']) {
      assert.ok(protocol.includes(readFileSync(`${clients}/${file}`, 'utf8').trim()), `${file} differs from its copy in PROTOCOL.md`);
    }
  });
});
