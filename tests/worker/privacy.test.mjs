// privacy.test.mjs: no IP address is read, stored or answered. The worker's code never names a
// client-IP header, and an address sent in every such header appears nowhere afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SESSION, startWorker } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const IP_HEADERS = ['cf-connecting-ip', 'x-forwarded-for', 'x-real-ip', 'true-client-ip'];
const MARKER = '203.0.113.199';

test('no worker source file names a client-IP header', () => {
  const files = readdirSync(`${root}worker`).filter((f) => /\.(m?js|ts)$/.test(f));
  assert.ok(files.length >= 5, 'the worker sources were found');
  for (const file of files) {
    const source = readFileSync(`${root}worker/${file}`, 'utf8').toLowerCase();
    for (const header of IP_HEADERS) assert.ok(!source.includes(header), `worker/${file} mentions ${header}`);
    // request.cf carries the client's geolocation and network: nothing of it is wanted either.
    assert.ok(!/\.cf\b/.test(source), `worker/${file} reads request.cf`);
  }
});

describe('a marker address in every client-IP header', () => {
  let worker;
  before(async () => { worker = await startWorker(); });
  after(async () => { await worker?.close(); });

  test('appears in no response and no stored row', async () => {
    const headers = { 'content-type': 'application/json', ...Object.fromEntries(IP_HEADERS.map((h) => [h, MARKER])) };
    const answers = [];
    for (const [path, body] of [
      ['/v1/agentsonar/session', JSON.stringify(SESSION)],
      ['/v1/batch', JSON.stringify({ events: [{ product: 'langflow', event: 'shutdown', TimeRunning: 5 }] })],
      ['/v1/agentsonar/session', '{"broken":'],
      ['/v1/forget', JSON.stringify({ install_id: SESSION.install_id })],
    ]) {
      const response = await worker.post(path, body, headers);
      answers.push(JSON.stringify([...response.headers]), await response.text());
    }
    answers.push(await (await worker.fetch('/', { headers })).text());
    assert.ok(!answers.join('\n').includes(MARKER), 'a response carries the marker');
    const rows = await worker.rows('SELECT * FROM events');
    assert.ok(rows.length >= 1);
    assert.ok(!JSON.stringify(rows).includes(MARKER), 'a stored row carries the marker');
  });
});

// Every file below `dir`, as bytes.
function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a marker address, with the database on disk and the logs captured', () => {
  let worker;
  let persist;
  let logs = '';
  before(async () => {
    persist = mkdtempSync(join(tmpdir(), 'phonehome-privacy-'));
    worker = await startWorker({
      faults: true,
      persist,
      log: (stdout, stderr) => {
        stdout.on('data', (chunk) => { logs += chunk; });
        stderr.on('data', (chunk) => { logs += chunk; });
      },
    });
  });
  after(async () => {
    await worker?.close();
    rmSync(persist, { recursive: true, force: true });
  });

  test('appears nowhere in the D1 files or the worker log, even when errors are logged', async () => {
    const headers = { 'content-type': 'application/json', ...Object.fromEntries(IP_HEADERS.map((h) => [h, MARKER])) };
    assert.equal((await worker.post('/v1/agentsonar/session', JSON.stringify(SESSION), headers)).status, 200);
    await worker.setFault('fail');
    assert.equal((await worker.post('/v1/agentsonar/session', JSON.stringify({ ...SESSION, session_id: 'b1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' }), headers)).status, 503);
    await worker.setFault('none');
    assert.equal((await worker.post('/v1/langflow/run', '{"Success":false,"ErrorMessage":"from 203.0.113.199"}', headers)).status, 200);
    const rows = await worker.rows('SELECT * FROM events');
    assert.equal(rows.length, 2);
    await worker.close();
    worker = undefined;
    const files = filesUnder(persist);
    assert.ok(files.some((f) => f.endsWith('.sqlite')), `the D1 file is on disk: ${files.join(', ')}`);
    for (const file of files) assert.ok(!readFileSync(file).includes(MARKER), `${file} holds the marker`);
    assert.match(logs, /storing 1 rows failed/, 'the log capture works');
    assert.ok(!logs.includes(MARKER), 'the log holds the marker');
  });
});
