// faults.test.mjs: D1 fails for a window in the middle of a load run (first writes that fail,
// then writes that commit but whose answer is lost). The senders see 503s in that window and
// retry as the client kit does; afterwards every acknowledged event is stored exactly once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { runLoad, summaryLine } from '../../scripts/lib/load.mjs';
import { startWorker } from './harness.mjs';

let worker;
before(async () => { worker = await startWorker({ faults: true, port: 0 }); });
after(async () => { await worker?.close(); });

test('a D1 outage mid-run: 503s in the window, then every acknowledged event stored once', async () => {
  const timers = [
    setTimeout(() => worker.setFault('fail'), 400),
    setTimeout(() => worker.setFault('commit-then-fail'), 900),
    setTimeout(() => worker.setFault('none'), 1400),
  ];
  const result = await runLoad({
    url: worker.url.href, requests: 800, concurrency: 8, batchSize: 20, seconds: 60, maxRetryWaitMs: 50,
  });
  timers.forEach(clearTimeout);
  console.log(summaryLine(result));
  assert.ok(result.seconds > 1.5, `the run (${result.seconds} s) must outlast the fault window`);
  assert.ok((result.status[503] ?? 0) > 0, 'the window produced 503s');
  const otherErrors = Object.keys(result.status).filter((code) => code === 'network' || (Number(code) >= 500 && Number(code) !== 503));
  assert.deepEqual(otherErrors, [], 'no 5xx but the 503s of the outage');
  assert.equal(result.requests, 800);
  const [stored] = await worker.rows(`SELECT count(*) AS n, count(DISTINCT session_id) AS sessions FROM events
    WHERE ${result.runSessions}`);
  assert.equal(stored.n, result.acknowledged.size, 'D1 holds exactly the acknowledged events');
  assert.equal(stored.sessions, stored.n, 'none of them twice');
  assert.ok(result.duplicate > 0, 'answers lost after commit came back as duplicates on retry');
});
