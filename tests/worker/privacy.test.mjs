// privacy.test.mjs: no IP address is read, stored or answered. The worker's code never names a
// client-IP header, and an address sent in every such header appears nowhere afterwards.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
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
