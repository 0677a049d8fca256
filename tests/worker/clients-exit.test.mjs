// clients-exit.test.mjs: the Node kit's exit hook. A program that queues an event and returns,
// never calling close(), exits within the 3-second budget with the event stored; with a server
// that refuses connections, or one that accepts and never answers (check and send both hang), it
// still exits within the budget, and so it does when a client report rides along (the report is in
// the budget). Times are measured from the moment the program's own code is
// done, so a slow machine's start-up does not count against the hook.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWorker, waitFor } from './harness.mjs';
import { clients, newStateDir, readState, run, stateFile } from './clients-kit.mjs';

const BUDGET_S = 3.5; // the kit's 3 seconds, and a margin for the process to wind down

// A program as an SDK's user writes it: one event queued, then it simply returns.
function program(sessionId) {
  const file = join(newStateDir(), '..', 'program.mjs');
  writeFileSync(file, `import { Telemetry } from '${clients}/phonehome.mjs';
const telemetry = new Telemetry('agentsonar', { version: '0.4.0' });
telemetry.track('session', { session_id: '${sessionId}', version: '0.4.0', os: 'linux' });
console.log(Date.now());
`);
  return file;
}

async function runProgram(url, stateDir = newStateDir()) {
  const sessionId = randomUUID();
  const result = await run(process.execPath, [program(sessionId)], {
    PHONEHOME_URL: url, PHONEHOME_STATE_DIR: stateDir, DO_NOT_TRACK: '', PHONEHOME_DEBUG: '',
  });
  const ended = Date.now();
  const returned = Number(result.stdout.trim());
  assert.equal(result.status, 0, result.stderr);
  assert.ok(returned > 0, `the program ran: ${result.stdout} ${result.stderr}`);
  return { sessionId, afterReturn: (ended - returned) / 1000 };
}

describe('the Node kit at exit', () => {
  let worker;
  let silent;
  before(async () => {
    worker = await startWorker({ port: 0 });
    silent = createServer(() => {}); // accepts, never answers
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    silent?.close();
    await worker?.close();
  });

  test('a program that queues an event and returns exits within the budget, the event stored', async () => {
    const { sessionId, afterReturn } = await runProgram(worker.url.href);
    assert.ok(afterReturn < BUDGET_S, `exited ${afterReturn} s after returning`);
    await waitFor(async () => (await worker.rows(`SELECT 1 FROM events WHERE session_id = '${sessionId}'`)).length === 1,
      { ms: 5000, what: 'the event' });
  });

  // A state folder whose file holds drops to report, the notice shown and the day's check made.
  const withDrops = () => {
    const stateDir = newStateDir();
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(stateFile(stateDir), JSON.stringify({ install_id: randomUUID(), notice_shown: true,
      checked_at: Math.floor(Date.now() / 1000), dropped: { offline: 2 } }));
    return stateDir;
  };

  test('with drops to report, the event and the report both go within the budget', async () => {
    const stateDir = withDrops();
    const { sessionId, afterReturn } = await runProgram(worker.url.href, stateDir);
    assert.ok(afterReturn < BUDGET_S, `exited ${afterReturn} s after returning`);
    assert.deepEqual(readState(stateDir).dropped, {}, 'reported and reset');
    await waitFor(async () => (await worker.rows(`SELECT 1 FROM events WHERE session_id = '${sessionId}'`)).length === 1,
      { ms: 5000, what: 'the event' });
  });

  test('with drops to report and a server that never answers, it gives up within the budget; the drops add up', async () => {
    const stateDir = withDrops();
    const { afterReturn } = await runProgram(`http://127.0.0.1:${silent.address().port}`, stateDir);
    assert.ok(afterReturn < BUDGET_S, `exited ${afterReturn} s after returning`);
    assert.deepEqual(readState(stateDir).dropped, { offline: 3 }, 'the unsent event counted beside the unreported two');
  });

  test('with nothing listening, it exits at once', async () => {
    const { afterReturn } = await runProgram('http://127.0.0.1:9');
    assert.ok(afterReturn < BUDGET_S, `exited ${afterReturn} s after returning`);
  });

  test('with a server that never answers, it gives up within the budget', async () => {
    const { afterReturn } = await runProgram(`http://127.0.0.1:${silent.address().port}`);
    assert.ok(afterReturn < BUDGET_S, `exited ${afterReturn} s after returning`);
    assert.ok(afterReturn >= 2.5, `it did wait for the answer (${afterReturn} s)`);
  });
});
