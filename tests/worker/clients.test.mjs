// clients.test.mjs: the client kit of docs/PROTOCOL.md, run as programs against the real worker
// listening on loopback: each example delivers an event under the install id of its state file,
// stays silent (sending nothing, writing nothing) when DO_NOT_TRACK=1 or the product's own switch
// says so, and never fails the program it lives in, even with nothing listening. The other
// clients-*.test.mjs files test the state file, the notice, debug, CI, the check and Node's exit.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startWorker } from './harness.mjs';
import { CLIENTS, SWITCH, clients, newStateDir, readState, root, run, runClient, startRecorder, stateExists } from './clients-kit.mjs';

const runScript = (script, env) => run('sh', ['-c', script], { DO_NOT_TRACK: '', ...env });

describe('the client kit', () => {
  let worker;
  let recorder;
  before(async () => {
    worker = await startWorker({ port: 0 });
    recorder = await startRecorder(worker.url);
  });
  after(async () => {
    await recorder?.close();
    await worker?.close();
  });

  const storedFor = async (id) => (await worker.rows(`SELECT install_id FROM events WHERE install_id = '${id}'`)).length;

  for (const name of Object.keys(CLIENTS)) {
    test(`${name}: delivers an event under the state file's install id`, async () => {
      const stateDir = newStateDir();
      const result = await runClient(name, { url: recorder.url, stateDir });
      assert.equal(result.status, 0, result.stderr);
      const { install_id: id } = readState(stateDir);
      assert.equal(await storedFor(id), 1, `${name} stored nothing; stderr: ${result.stderr}`);
    });

    for (const [variable, value] of [['DO_NOT_TRACK', '1'], ['DO_NOT_TRACK', 'true'], [SWITCH, 'off'], [SWITCH, 'FALSE']]) {
      test(`${name}: ${variable}=${value} sends nothing and writes no state file`, async () => {
        recorder.clear();
        const stateDir = newStateDir();
        const result = await runClient(name, { url: recorder.url, stateDir, env: { [variable]: value } });
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stderr, '', 'no notice either');
        assert.deepEqual(recorder.requests, []);
        assert.equal(stateExists(stateDir), false);
      });
    }

    test(`${name}: a switch that leaves telemetry on (${SWITCH}=on) sends`, async () => {
      recorder.clear();
      const result = await runClient(name, { url: recorder.url, stateDir: newStateDir(), env: { [SWITCH]: 'on' } });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(recorder.events().length, 1);
    });

    test(`${name}: with nothing listening, exits cleanly within its timeout, printing nothing but the first run's notice`, async () => {
      const stateDir = newStateDir();
      for (const run of ['first', 'second']) {
        const result = await runClient(name, { url: 'http://127.0.0.1:9', stateDir });
        assert.equal(result.status, 0, result.stderr);
        assert.ok(result.seconds < 10, `took ${result.seconds} s`);
        if (run === 'second') assert.equal(result.stderr, '', 'nothing is printed into the host program');
      }
    });
  }

  test('shell: sourced by a script under set -eu, it neither stops the script nor leaks variables, and sends', async () => {
    recorder.clear();
    const stateDir = newStateDir();
    const script = `set -eu; . '${clients}/phonehome.sh'; phonehome_send agentsonar session '{"version":"0.4.0"}'; `
      + 'echo "continued ${ph_id:-without ph_id}"';
    for (const run of ['first', 'second']) {
      const result = await runScript(script, { PHONEHOME_URL: recorder.url, PHONEHOME_STATE_DIR: stateDir });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), 'continued without ph_id', run);
    }
    assert.equal(recorder.events().length, 2, 'both runs sent (the send outlives the script: the test waits for its output to close)');
    assert.equal(recorder.events()[0].install_id, readState(stateDir).install_id);
  });

  test('shell: fields that carry their own install_id or ci keep them; empty fields still make an event', async () => {
    const id = randomUUID();
    for (const fields of [{ install_id: id, session_id: randomUUID(), version: '0.4.0' }, { ci: 'gitlab', session_id: randomUUID(), version: '0.4.0' }, {}]) {
      recorder.clear();
      const result = await run('sh', [`${clients}/phonehome.sh`, 'agentsonar', 'session', JSON.stringify(fields)],
        { PHONEHOME_URL: recorder.url, PHONEHOME_STATE_DIR: newStateDir(), DO_NOT_TRACK: '' });
      assert.equal(result.status, 0, result.stderr);
      const [event] = recorder.events();
      assert.deepEqual(Object.keys(event).sort(), [...new Set(['install_id', 'ci', ...Object.keys(fields)])].sort());
      for (const [key, value] of Object.entries(fields)) assert.equal(event[key], value);
    }
    assert.equal((await worker.rows(`SELECT 1 FROM events WHERE install_id = '${id}'`)).length, 1);
  });

  test('shell: sourced by a script run with three arguments, it sends nothing by itself', async () => {
    recorder.clear();
    const result = await run('sh', ['-c', `. '${clients}/phonehome.sh'; echo sourced`, 'sdk.sh', 'one', 'two', 'three'],
      { PHONEHOME_URL: recorder.url, PHONEHOME_STATE_DIR: newStateDir() });
    assert.equal(result.stdout.trim(), 'sourced', result.stderr);
    assert.deepEqual(recorder.requests, []);
  });

  test('docs/PROTOCOL.md shows each client exactly as tested', () => {
    const protocol = readFileSync(`${root}docs/PROTOCOL.md`, 'utf8');
    for (const file of ['phonehome.py', 'phonehome.mjs', 'phonehome.sh', 'phonehome.go']) {
      assert.ok(protocol.includes(readFileSync(`${clients}/${file}`, 'utf8').trim()), `${file} differs from its copy in PROTOCOL.md`);
    }
  });
});
