// harness.mjs: the Worker under test, as wrangler bundles it, in real workerd (Miniflare) with a
// real local D1 that has schema.sql applied, and wrangler.toml's [vars].
//
// With { faults: true } the bundle is wrapped by fault-entry.mjs, which can make D1 fail on
// demand: the one thing a real local D1 cannot be asked to do.
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';
import { ROW_COLUMNS } from '../../worker/storage.js';

const root = new URL('../../', import.meta.url).pathname;

// The catalogue source and the reference payloads the tests derive their cases and counts from:
// this repository's, unless the "Add your product" test points them at a copy with one more product.
export const catalogueDir = process.env.PHONEHOME_CATALOGUE_DIR ?? join(root, 'catalogue');
export const referenceVectorsFile = process.env.PHONEHOME_REFERENCE_VECTORS ?? join(root, 'tests/vectors/catalogue/reference.json');

export const SESSION = {
  install_id: '8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d',
  session_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
  version: '0.4.0',
  python: '3.12',
  os: 'darwin',
  arch: 'arm64',
  adapter: 'crewai',
  timestamp: 1745891234.5,
};

const wranglerToml = () => readFileSync(join(root, 'wrangler.toml'), 'utf8');

function compatibilityDate() {
  return /^compatibility_date\s*=\s*"([^"]+)"/m.exec(wranglerToml())[1];
}

// wranglerVars() reads the [vars] table of wrangler.toml (KEY = "value" lines).
export function wranglerVars() {
  const section = /^\[vars\]\n([\s\S]*?)(?=^\[)/m.exec(wranglerToml())?.[1] ?? '';
  return Object.fromEntries([...section.matchAll(/^([A-Z_][A-Z0-9_]*)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]));
}

// schemaStatements() splits schema.sql into statements: D1's exec() cannot run multi-line SQL.
export function schemaStatements() {
  const sql = readFileSync(join(root, 'schema.sql'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  return sql.split(';').map((s) => s.trim()).filter(Boolean);
}

function bundleDir() {
  const bundle = process.env.PHONEHOME_WORKER_BUNDLE;
  if (!bundle) throw new Error('PHONEHOME_WORKER_BUNDLE must name the bundle folder (ctest sets it)');
  return bundle;
}

// faultBundle() copies the bundle beside fault-entry.mjs, which imports it as ./index.js; with
// `wasm`, the bundle's module is swapped for another build of the same ABI (the trap build).
function faultBundle(wasm) {
  const dir = mkdtempSync(join(tmpdir(), 'phonehome-faults-'));
  for (const file of readdirSync(bundleDir())) {
    copyFileSync(wasm && file.endsWith('.wasm') ? wasm : join(bundleDir(), file), join(dir, file));
  }
  copyFileSync(new URL('./fault-entry.mjs', import.meta.url).pathname, join(dir, 'fault-entry.mjs'));
  return dir;
}

// The dead-letter queue's stand-in consumer: it keeps what it is given and lists it on request.
// (Miniflare drops messages sent to a queue that no Worker consumes.)
const DEAD_LETTER_OBSERVER = `
const received = [];
export default {
  async queue(batch) { for (const m of batch.messages) { received.push(m.body); m.ack(); } },
  async fetch() { return Response.json(received); },
};`;

// The tests' window on the D1 databases (and on the ingest queue): a Worker bound to the same
// databases that runs the SQL it is sent, and sends what it is given to the queue. Reading D1 through Miniflare's Node proxy instead (getD1Database) goes through its
// synchronous bridge, which under load can take one answer for another and then stays out of step
// for the rest of the run.
const SQL_PROBE = `
export default {
  async fetch(request, env) {
    const { binding, statements, send } = await request.json();
    try {
      if (send) {
        await env.INGEST_QUEUE.sendBatch(send.map((body) => ({ body, contentType: 'text' })));
        return Response.json([]);
      }
      const db = env[binding];
      const results = await db.batch(statements.map(({ sql, params = [] }) => db.prepare(sql).bind(...params)));
      return Response.json(results.map((r) => r.results));
    } catch (error) {
      return new Response(String(error?.message ?? error), { status: 500 });
    }
  },
};`;

// queueModeOptions() reads the queue block of wrangler.toml the way wrangler does, switched on:
// the producers and consumers Miniflare gets are the ones a deployment gets. `consumer`
// overrides consumer settings for a test (a shorter batch timeout, fewer retries).
async function queueModeOptions(consumer) {
  const { queueModeConfig } = await import('../../scripts/lib/wrangler-config.mjs');
  const { unstable_getMiniflareWorkerOptions: workerOptions } = await import('wrangler');
  const { queueProducers, queueConsumers } = workerOptions(queueModeConfig()).workerOptions;
  for (const name of Object.keys(queueConsumers)) queueConsumers[name] = { ...queueConsumers[name], ...consumer };
  return { queueProducers, queueConsumers };
}

// catalogueEntry() writes an entry that makes the Worker with createWorker() for another compiled
// catalogue, as a maintainer's src/index.js does; Miniflare collects its imports from the source
// tree (worker/, dist/). It lives under build/ so that module names stay inside the tree.
function catalogueEntry(catalogue) {
  const base = join(root, 'build', 'test-entries');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'entry-'));
  writeFileSync(join(dir, 'index.mjs'), `import { createWorker } from '../../../worker/create.js';\n`
    + `export default createWorker({ catalogue: ${JSON.stringify(catalogue)} });\n`);
  return join(dir, 'index.mjs');
}

// The compiled catalogue the worker tests run with: PHONEHOME_WORKER_CATALOGUE names one (the
// "Add your product" test runs the suite with a catalogue of its own); by default the bundle's,
// which scripts/bundle-worker copies beside it.
export function testCatalogue() {
  const path = process.env.PHONEHOME_WORKER_CATALOGUE ?? join(bundleDir(), 'catalogue.json');
  return JSON.parse(readFileSync(path, 'utf8'));
}

// startWorker() options: `catalogue` (a compiled catalogue object, valid or not) runs the Worker
// made by createWorker() for it instead of the bundle; `faults` wraps the Worker with fault-entry.mjs; `wasm` swaps its module;
// `vars` override wrangler.toml's; `queue` (an object of consumer overrides, or true) turns queue
// mode on, with a dead-letter observer; `databases` names further D1 bindings (event stores), each
// a fresh database with schema.sql.
export async function startWorker({ faults = false, wasm, vars = {}, port, log, persist, queue, databases = [], catalogue } = {}) {
  faults ||= wasm !== undefined;
  if (catalogue === undefined && process.env.PHONEHOME_WORKER_CATALOGUE && !faults) catalogue = testCatalogue();
  const entry = catalogue === undefined ? null : catalogueEntry(catalogue);
  const dir = entry ? root : faults ? faultBundle(wasm) : bundleDir();
  const bindings = ['DB', ...databases];
  const queueOptions = queue ? await queueModeOptions(queue === true ? {} : queue) : {};
  const deadLetterQueue = Object.values(queueOptions.queueConsumers ?? {})[0]?.deadLetterQueue;
  const phonehome = {
    name: 'phonehome',
    modules: true,
    scriptPath: entry ?? join(dir, faults ? 'fault-entry.mjs' : 'index.js'),
    // Module names are paths relative to this root; workerd refuses names that climb out with "..".
    modulesRoot: dir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
    compatibilityDate: compatibilityDate(),
    d1Databases: Object.fromEntries(bindings.map((b) => [b, b === 'DB' ? 'phonehome' : `phonehome-${b.toLowerCase()}`])),
    bindings: { ...wranglerVars(), ...vars },
    // wrangler.toml's [assets]: the dashboard and the public page, ahead of the Worker but for
    // run_worker_first's paths.
    assets: {
      directory: join(root, 'assets'), binding: 'ASSETS',
      routerConfig: { has_user_worker: true, static_routing: { user_worker: ['/dashboard', '/dashboard/*', '/public', '/public/*'] } },
      assetConfig: { html_handling: 'auto-trailing-slash', not_found_handling: 'none', has_static_routing: true },
    },
    ...queueOptions,
  };
  const workers = [phonehome, {
    name: 'sql-probe', modules: true, script: SQL_PROBE, compatibilityDate: compatibilityDate(),
    d1Databases: phonehome.d1Databases, ...(queueOptions.queueProducers ? { queueProducers: queueOptions.queueProducers } : {}),
  }];
  if (deadLetterQueue) {
    workers.push({ name: 'dead-letters', modules: true, script: DEAD_LETTER_OBSERVER, compatibilityDate: compatibilityDate(),
      queueConsumers: { [deadLetterQueue]: { maxBatchTimeout: 0.05 } } });
  }
  const mf = new Miniflare({
    workers,
    ...(persist === undefined ? {} : { d1Persist: persist }),
    ...(port === undefined ? {} : { host: '127.0.0.1', port }),
    ...(log === undefined ? {} : { handleRuntimeStdio: log }),
  });
  // sql() runs statements ({ sql, params }) in one batch on a binding; returns each one's rows.
  let probe;
  async function probeCall(request) {
    probe ??= await mf.getWorker('sql-probe');
    const response = await probe.fetch('http://probe/', { method: 'POST', body: JSON.stringify(request) });
    if (!response.ok) throw new Error(`the probe failed: ${await response.text()}`);
    return response.json();
  }
  const sql = (binding, statements) => probeCall({ binding, statements });
  let url;
  try {
    url = await mf.ready;
    for (const binding of bindings) await sql(binding, schemaStatements().map((statement) => ({ sql: statement })));
  } catch (error) {
    await mf.dispose(); // a live workerd would keep the test process from exiting
    throw error;
  }

  return {
    mf,
    url,
    // sendToQueue() puts message bodies (text) on the ingest queue, as the Worker's producer does.
    async sendToQueue(bodies) {
      await probeCall({ send: bodies });
    },
    // execute() runs one statement on a binding (default DB) and returns its rows.
    async execute(statement, params = [], binding = 'DB') {
      return (await sql(binding, [{ sql: statement, params }]))[0];
    },
    post(path, body, headers = { 'content-type': 'application/json' }) {
      const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      return mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', body: payload, headers });
    },
    fetch(path, init) {
      return mf.dispatchFetch(`http://localhost${path}`, init);
    },
    // setFault() makes D1 writes (batch()) fail: "none", "fail" (the batch fails, nothing
    // written), "commit-then-fail" (the batch commits, then the answer is lost), "overload"
    // (more than `limit` batches at once are refused, as a busy D1 refuses them), or "sequence"
    // (`steps`, e.g. "ok,fail,commit-then-fail", one per batch call, repeating). With `binding`
    // only that D1 binding fails.
    async setFault(mode, params = {}) {
      const query = new URLSearchParams({ mode, ...params });
      const response = await mf.dispatchFetch(`http://localhost/__test/d1-fault?${query}`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`setFault(${mode}): ${response.status}`);
    },
    // deadLetters() lists the bodies the dead-letter queue received (queue mode).
    async deadLetters() {
      const observer = await mf.getWorker('dead-letters');
      return (await observer.fetch('http://localhost/')).json();
    },
    // rows() answers a query's rows; by default the stored events, each as the core wrote it (its
    // columns, without the day the insert derives).
    async rows(query = `SELECT ${ROW_COLUMNS.join(', ')} FROM events ORDER BY occurred_at, event_id`, binding = 'DB') {
      return (await sql(binding, [{ sql: query }]))[0];
    },
    async clear() {
      for (const binding of bindings) {
        await sql(binding, ['events', 'write_budget', 'install_writes', 'rejections_daily', 'unmatched_daily', 'queue_receipts', 'queue_minutely', 'rollup_daily', 'rollup_runs', 'maintenance_runs'].map((t) => ({ sql: `DELETE FROM ${t}` })));
      }
    },
    async close() {
      await mf.dispose();
      if (faults) rmSync(dir, { recursive: true, force: true });
    },
  };
}

// waitFor() polls `check` until it returns a truthy value (returned), or fails after `ms`.
export async function waitFor(check, { ms = 30_000, what = 'the condition' } = {}) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// consumerIdle() waits until a queue-mode Worker's consumer has written nothing for half a second:
// redeliveries still under way must not spill into what a test checks next.
export async function consumerIdle(worker) {
  let last = '';
  await waitFor(async () => {
    const now = JSON.stringify(await worker.rows('SELECT sum(messages) AS m, sum(batches) AS b FROM queue_minutely'));
    const quiet = now === last;
    last = now;
    if (!quiet) await new Promise((resolve) => setTimeout(resolve, 500));
    return quiet;
  }, { what: 'the consumer to go idle' });
}
