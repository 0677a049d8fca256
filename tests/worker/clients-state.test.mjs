// clients-state.test.mjs: the client kit's state file, first-run notice, debug mode and CI
// detection, each of the Python, Node and shell kits run as programs against the real worker: the
// install id is made once and reused, the notice shown once, a broken file started afresh, the
// server's answers printed with PHONEHOME_DEBUG=1, and the CI named by the environment sent as
// `ci` on the event and on the check (asserted on the requests the client made, so that the test
// holds whether or not the catalogue declares a ci field).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startWorker, testCatalogue } from './harness.mjs';
import {
  CLIENTS, EVENT, PRODUCT, SWITCH, ciTable, clients, newStateDir, readState, run, runClient, startRecorder, stateFile,
} from './clients-kit.mjs';

// Whether the catalogue under test stores the kit's `ci` (a field named ci feeding the ci column, an
// enum of the ci preset): then the stored value is checked too, not only what the client sent.
const storesCi = testCatalogue().products.find((p) => p.product === PRODUCT)?.events.find((e) => e.name === EVENT)
  ?.fields.some((f) => f.name === 'ci' && f.column === 'ci' && f.kind === 'enum') ?? false;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// Each kit's CI detector alone, one process for many environments (each a JSON object of variables
// set over an environment without CI variables): it prints one name per environment.
const DETECTORS = {
  python: (cases) => ['python3', ['-c', `import json, os, sys
sys.path.insert(0, sys.argv[1])
import phonehome
for env in json.loads(sys.argv[2]):
    saved = dict(os.environ)
    os.environ.update(env)
    print(phonehome.detect_ci())
    os.environ.clear()
    os.environ.update(saved)`, clients, JSON.stringify(cases)]],
  node: (cases) => [process.execPath, ['--input-type=module', '-e', `import { detectCi } from '${clients}/phonehome.mjs';
for (const env of ${JSON.stringify(cases)}) console.log(detectCi({ ...process.env, ...env }));`]],
  shell: (cases) => ['sh', ['-c', `. '${clients}/phonehome.sh'\n${cases.map((env) => `(${Object.entries(env)
    .map(([k, v]) => `export ${k}='${v}'; `).join('')}phonehome_ci)`).join('\n')}`]],
};

describe('the client kit: state, notice, debug, CI', () => {
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

  const storedFor = async (id) => worker.rows(`SELECT session_id FROM events WHERE install_id = '${id}'`);

  for (const name of Object.keys(CLIENTS)) {
    test(`${name}: the first run makes the install id and shows the notice; the next reuses the id, silently`, async () => {
      const stateDir = newStateDir();
      const first = await runClient(name, { url: recorder.url, stateDir });
      assert.equal(first.status, 0, first.stderr);
      const state = readState(stateDir);
      assert.match(state.install_id, UUID);
      assert.equal(state.notice_shown, true);
      // The notice says what is sent, where the disclosure page is, and both ways to opt out.
      assert.match(first.stderr, /anonymous/);
      assert.ok(first.stderr.includes(`${recorder.url}/`), first.stderr);
      assert.ok(first.stderr.includes('DO_NOT_TRACK=1') && first.stderr.includes(`${SWITCH}=off`), first.stderr);

      const second = await runClient(name, { url: recorder.url, stateDir });
      assert.equal(second.status, 0, second.stderr);
      assert.equal(second.stderr, '', 'the notice is shown once');
      assert.equal(readState(stateDir).install_id, state.install_id);
      const stored = await storedFor(state.install_id);
      assert.equal(stored.length, 2, 'both runs stored under the one id');
      assert.notEqual(stored[0].session_id, stored[1].session_id);
    });

    for (const [what, content] of [['garbage', 'not json{'], ['no install id', '{"notice_shown":true}'], ['a bad install id', '{"install_id":"../../etc","notice_shown":true}'], ['an array', '[]']]) {
      test(`${name}: a state file holding ${what} is started afresh, never a crash`, async () => {
        const stateDir = newStateDir();
        mkdirSync(stateDir, { recursive: true });
        writeFileSync(stateFile(stateDir), content);
        const result = await runClient(name, { url: recorder.url, stateDir });
        assert.equal(result.status, 0, result.stderr);
        const { install_id: id } = readState(stateDir);
        assert.match(id, UUID);
        assert.equal((await storedFor(id)).length, 1);
      });
    }

    test(`${name}: values of the wrong type in the state file are dropped, its id kept, and it still sends`, async () => {
      const stateDir = newStateDir();
      const id = randomUUID();
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(stateFile(stateDir), JSON.stringify({ install_id: id, notice_shown: true, checked_at: 'soon', advisories_shown: null, settings: 'off' }));
      const result = await runClient(name, { url: recorder.url, stateDir });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.equal(readState(stateDir).install_id, id);
      assert.equal((await storedFor(id)).length, 1);
    });

    test(`${name}: an unwritable state folder still sends, with an id for this run`, async () => {
      const parent = mkdtempSync(join(tmpdir(), 'phonehome-kit-'));
      writeFileSync(join(parent, 'file'), '');
      recorder.clear();
      const result = await runClient(name, { url: recorder.url, stateDir: join(parent, 'file', 'state') });
      assert.equal(result.status, 0, result.stderr);
      const [event] = recorder.events();
      assert.match(event?.install_id ?? '', UUID);
    });

    test(`${name}: without PHONEHOME_STATE_DIR, the state lives in $XDG_CONFIG_HOME/<product>/telemetry.json`, async () => {
      const config = mkdtempSync(join(tmpdir(), 'phonehome-xdg-'));
      const result = await runClient(name, { url: recorder.url, stateDir: '', env: { XDG_CONFIG_HOME: config } });
      assert.equal(result.status, 0, result.stderr);
      assert.match(readState(join(config, PRODUCT)).install_id, UUID);
    });

    test(`${name}: PHONEHOME_DEBUG=1 prints each answer, status and body`, async () => {
      const stateDir = newStateDir();
      await runClient(name, { url: recorder.url, stateDir }); // the notice out of the way
      const result = await runClient(name, { url: recorder.url, stateDir, env: { PHONEHOME_DEBUG: '1' } });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stderr, /^phonehome: POST \/v1\/\S+ -> 200 .*"status":"accepted"/m, result.stderr);
      const quiet = await runClient(name, { url: recorder.url, stateDir });
      assert.equal(quiet.stderr, '', 'without debug, nothing');
    });

    test(`${name}: the CI named by the environment is sent as ci, on the event and on the check`, async () => {
      for (const [env, expected] of [[{ GITHUB_ACTIONS: 'true', CI: 'true' }, 'github_actions'], [{ CI: 'true' }, 'unknown'], [{}, 'none']]) {
        recorder.clear();
        const result = await runClient(name, { url: recorder.url, stateDir: newStateDir(), env });
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(recorder.events().map((e) => e.ci), [expected], JSON.stringify(env));
        assert.deepEqual(recorder.checks().map((c) => c.ci), [expected], JSON.stringify(env));
        if (storesCi) {
          const [{ install_id: id }] = recorder.events();
          assert.deepEqual((await worker.rows(`SELECT ci FROM events WHERE install_id = '${id}'`)).map((r) => r.ci), [expected]);
        }
      }
    });

    test(`${name}: detects every CI of PROTOCOL.md's list, and CI=false wins`, async () => {
      const table = ciTable();
      assert.ok(table.length >= 20, 'the list is read from PROTOCOL.md');
      const cases = [
        ...table.map(([vars, ci]) => [Object.fromEntries(vars.map((v) => (v.includes('=') ? v.split('=') : [v, 'true']))), ci]),
        [{ JENKINS_URL: 'http://jenkins' }, 'none'], // Jenkins needs BUILD_ID too, as in ci-info
        [{ CONTINUOUS_INTEGRATION: 'true' }, 'unknown'],
        [{ CI: '1' }, 'unknown'],
        [{ CI: 'false', GITHUB_ACTIONS: 'true' }, 'none'],
        [{ CI: '0', TRAVIS: 'true' }, 'none'],
        [{ GITHUB_ACTIONS: '' }, 'none'],
      ];
      const result = await run(...DETECTORS[name](cases.map(([env]) => env)));
      const detected = result.stdout.trim().split('\n');
      cases.forEach(([env, expected], i) => assert.equal(detected[i], expected, `${JSON.stringify(env)}: ${result.stderr}`));
    });
  }

  test('every CI name in the list is a value of the catalogue\'s ci preset (when the catalogue has it)', async (t) => {
    const { presets } = JSON.parse((await import('node:fs')).readFileSync(new URL('../../catalogue/presets.json', import.meta.url), 'utf8'));
    if (!presets.ci) return t.skip('this catalogue has no ci preset yet');
    for (const [, ci] of ciTable()) assert.ok(presets.ci.values.includes(ci), ci);
  });
});
