// js-reference.test.mjs: the JavaScript reference ingest (bench/js-reference/) answers every
// reference payload exactly as the Wasm core does, so a benchmark of the two compares the same
// work: same rows (values and key order) and the same response text, one event or a hundred.
//   node bench/js-reference/build.mjs && node --test tests/bench/js-reference.test.mjs
// PHONEHOME_WASM names another Wasm build than build/wasm/phonehome.wasm.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { DEFAULT_CATALOGUE, VALIDATORS_FILE, writeValidators } from '../../bench/js-reference/build.mjs';
import { createReference } from '../../bench/js-reference/ingest.mjs';
import { instantiateCore } from '../../worker/core.js';
import { referenceCatalogueJson } from '../wasm/load.mjs';

const fromRoot = (path) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const readJson = (path) => JSON.parse(readFileSync(fromRoot(path), 'utf8'));

const RECEIVED_AT = 1795240900000; // 2026-11-21T06:01:40Z, as in the vectors
const NONCE = [0x1234abcd, 0x9876fedc];
const BATCH_COPIES = 100;

const referenceCases = readJson('tests/vectors/catalogue/reference.json').cases.filter((c) => c.id.endsWith('-reference'));
const referenceBody = (id) => structuredClone(referenceCases.find((c) => c.id === `${id}-reference`).body);

const encoder = new TextEncoder();
const decoder = new TextDecoder();
let core;
let reference;

before(async () => {
  // Built here as well, so the test never runs against validators of an older catalogue.
  writeValidators();
  const { validators } = await import(pathToFileURL(VALIDATORS_FILE).href);
  reference = createReference(JSON.parse(readFileSync(DEFAULT_CATALOGUE, 'utf8')), validators);
  const wasm = process.env.PHONEHOME_WASM ?? fromRoot('build/wasm/phonehome.wasm');
  core = await instantiateCore(new WebAssembly.Module(readFileSync(wasm)), referenceCatalogueJson());
});

// ingestBoth() sends the same request, receive time and nonce to the core and the reference.
function ingestBoth(product, event, body) {
  const request = { product, event, body: encoder.encode(JSON.stringify(body)), receivedAt: RECEIVED_AT, sentAt: '', nonce: NONCE };
  const wasm = core.ingest(request);
  const js = reference.ingest(request);
  return {
    core: { outcome: wasm.outcome, rows: wasm.chunks.flatMap((chunk) => JSON.parse(chunk.rowsJson)), response: decoder.decode(wasm.response) },
    js: { outcome: js.outcome, rows: JSON.parse(js.rowsJson), response: js.response },
  };
}

// keyOrder() is every object's keys in order, nested: deepEqual ignores key order, a row must not.
function keyOrder(value) {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value === null || typeof value !== 'object') return null;
  return Object.entries(value).map(([key, inner]) => [key, keyOrder(inner)]);
}

function assertSameAnswer({ core: expected, js: actual }) {
  assert.equal(actual.outcome, expected.outcome);
  assert.equal(actual.response, expected.response);
  assert.deepEqual(actual.rows, expected.rows);
  assert.deepEqual(actual.rows.map(keyOrder), expected.rows.map(keyOrder));
}

describe('reference payloads give the core\'s rows and response', () => {
  test('every product has reference payloads', () => assert.ok(referenceCases.length >= 12, `${referenceCases.length} found`));

  for (const c of referenceCases) {
    test(`${c.id}, one event`, () => {
      const answers = ingestBoth(c.product, c.event, c.body);
      assert.equal(answers.core.outcome, 'ok');
      assert.equal(answers.core.rows.length, 1);
      assertSameAnswer(answers);
    });

    // Copies of an event with a dedup key are duplicates of the first; events without one
    // ("dedup": "none") are all stored, each id made from its position in the request.
    test(`${c.id}, ${BATCH_COPIES} copies in one request`, () => {
      const answers = ingestBoth(c.product, c.event, Array.from({ length: BATCH_COPIES }, () => c.body));
      assert.equal(answers.core.outcome, 'ok');
      assertSameAnswer(answers);
    });
  }
});

// Each case spoils one thing of a reference payload; the core's verdict must have `code`.
const REJECTIONS = [
  { name: 'a required field is missing', code: 'missing_field', id: 'agentsonar-session', change: (b) => delete b.install_id },
  { name: 'a required field is null', code: 'missing_field', id: 'axolotl-usage', change: (b) => { b.run_id = null; } },
  { name: 'a required field known by its alias is missing', code: 'missing_field', id: 'langflow-run', change: (b) => delete b.runSuccess },
  { name: 'a number given as a string', code: 'wrong_type', id: 'axolotl-system_info', change: (b) => { b.cpu_count = '32'; } },
  { name: 'a whole number with a fraction', code: 'wrong_type', id: 'langflow-shutdown', change: (b) => { b.timeRunning = 1.5; } },
  { name: 'a list item of the wrong type', code: 'wrong_type', id: 'axolotl-system_info', change: (b) => { b.gpu_models = ['H100', 7]; } },
  { name: 'a nested map value of the wrong type', code: 'wrong_type', id: 'axon-heartbeat', change: (b) => { b.tasks.byType.codex = 'ten'; } },
  { name: 'an object where a string belongs', code: 'wrong_type', id: 'axonflow-sdk_init', change: (b) => { b.sdk_version = { major: 3 }; } },
  { name: 'a malformed UUID', code: 'invalid_uuid', id: 'axonflow-sdk_init', change: (b) => { b.instance_id = 'not-a-uuid'; } },
  // No shipped enum refuses an unknown value any more (each keeps it as other), so invalid_enum
  // has no case here; tests/native/custom-catalogue.cpp covers it.
  { name: 'a string over its bound', code: 'too_long', id: 'axolotl-error', change: (b) => { b.error_type = 'E'.repeat(129); } },
  { name: 'a string over its bound in UTF-8 bytes only', code: 'too_long', id: 'langflow-version', change: (b) => { b.CacheType = 'é'.repeat(17); } },
  { name: 'a list item over its bound', code: 'too_long', id: 'axolotl-system_info', change: (b) => { b.gpu_models = ['x'.repeat(129)]; } },
  { name: 'a number above its range', code: 'out_of_range', id: 'axolotl-system_info', change: (b) => { b.gpu_count = 5000; } },
  { name: 'a nested number below its range', code: 'out_of_range', id: 'axon-heartbeat', change: (b) => { b.usage.totalCostUsd = -1; } },
  { name: 'a map count below its range', code: 'out_of_range', id: 'axon-heartbeat', change: (b) => { b.tasks.byPhase.Failed = -5; } },
  { name: 'a time before 2000', code: 'out_of_range', id: 'agentsonar-session', change: (b) => { b.timestamp = 946684799; } },
  { name: 'a date that does not exist', code: 'invalid_timestamp', id: 'axon-heartbeat', change: (b) => { b.timestamp = '2026-02-30T00:00:00Z'; } },
  { name: 'a version that is not one', code: 'invalid_version', id: 'agentsonar-session', change: (b) => { b.version = 'latest'; } },
  { name: 'a map key outside its pattern', code: 'invalid_key', id: 'axon-heartbeat', change: (b) => { b.tasks.byType['bad key'] = 1; } },
  { name: 'a list over its item count', code: 'too_many_items', id: 'axolotl-system_info', change: (b) => { b.gpu_models = Array(65).fill('H100'); } },
  { name: 'a required string that is only spaces', code: 'empty_value', id: 'axolotl-error', change: (b) => { b.error_type = '   '; } },
  { name: 'a field under its name and its alias', code: 'duplicate_key', id: 'langflow-run', change: (b) => { b.success = true; } },
  {
    name: 'a missing field after undeclared keys and an unknown enum value',
    code: 'missing_field',
    id: 'agentsonar-session',
    change: (b) => {
      delete b.session_id;
      Object.assign(b, { prompt: 'hi', os: 'plan9' });
    },
  },
];

describe('rejections give the core\'s verdicts', () => {
  for (const { name, code, id, change } of REJECTIONS) {
    test(`${name}: ${code}`, () => {
      const body = referenceBody(id);
      change(body);
      const { product, event } = referenceCases.find((c) => c.id === `${id}-reference`);
      const answers = ingestBoth(product, event, body);
      assert.equal(JSON.parse(answers.core.response).results[0].code, code, answers.core.response);
      assertSameAnswer(answers);
    });
  }

  test('a batch of accepted, rejected, duplicate and non-object events, with notes', () => {
    const session = referenceBody('agentsonar-session');
    const noted = { ...session, session_id: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9', arch: 'sparc', extra: 1 };
    const heartbeat = referenceBody('axon-heartbeat');
    heartbeat.tasks.unknown = 1;
    assertSameAnswer(ingestBoth('agentsonar', 'session', [session, { ...session, version: 'x' }, session, 5, noted, null]));
    assertSameAnswer(ingestBoth('axon', 'heartbeat', [heartbeat]));
  });

  test('requests refused whole', () => {
    assertSameAnswer(ingestBoth('agentsonar', 'session', []));
    assertSameAnswer(ingestBoth('agentsonar', 'session', 'a string'));
    assertSameAnswer(ingestBoth('nope', 'session', {}));
    assertSameAnswer(ingestBoth('agentsonar', 'nope', {}));
  });
});

// The catalogue's rule-by-rule cases (tests/vectors/derive.mjs): each rule implied by the
// catalogue, accepted and refused. Cases needing X-Sent-At are the core's alone.
test('derived catalogue vectors give the core\'s answers', () => {
  const cases = readJson('tests/vectors/catalogue/derived.json').cases.filter((c) => c.body !== undefined && c.sent_at === undefined);
  assert.ok(cases.length > 100, `${cases.length} cases`);
  const disagreements = [];
  for (const c of cases) {
    try {
      assertSameAnswer(ingestBoth(c.product, c.event, c.body));
    } catch (error) {
      disagreements.push(`${c.id}: ${error.message.split('\n')[0]}`);
    }
  }
  assert.deepEqual(disagreements, []);
});

test('scrub vectors: every one scrubbed as the core scrubs', (t) => {
  // Every file of the folder, as the core's runners read it.
  const files = readdirSync(fromRoot('tests/vectors/scrub')).filter((name) => name.endsWith('.json')).sort();
  const cases = files.flatMap((name) => readJson(`tests/vectors/scrub/${name}`).cases);
  assert.ok(cases.length >= 120, `${cases.length} scrub cases`);
  const disagreements = [];
  for (const c of cases) {
    const body = { run_id: '5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5', error_type: 'E', message: c.input };
    const { core: expected, js: actual } = ingestBoth('axolotl', 'error', body);
    const stored = (answer) => answer.rows[0]?.properties.message;
    if (stored(actual) !== stored(expected)) {
      disagreements.push(`${c.id}: ${JSON.stringify(c.input)} core ${JSON.stringify(stored(expected))}, js ${JSON.stringify(stored(actual))}`);
    }
  }
  const agreeing = cases.length - disagreements.length;
  t.diagnostic(`scrub vectors: ${agreeing} of ${cases.length} agree`);
  for (const line of disagreements) t.diagnostic(`disagrees: ${line}`);
  assert.deepEqual(disagreements, [], `${agreeing} of ${cases.length} agree`);
});
