// harness.mjs: the Worker under test, as wrangler bundles it, in real workerd (Miniflare) with a
// real local D1 that has schema.sql applied, and wrangler.toml's [vars].
//
// With { faults: true } the bundle is wrapped by fault-entry.mjs, which can make D1 fail on
// demand: the one thing a real local D1 cannot be asked to do.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Miniflare } from 'miniflare';

const root = new URL('../../', import.meta.url).pathname;

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

export async function startWorker({ faults = false, wasm, vars = {}, port, log, persist } = {}) {
  faults ||= wasm !== undefined;
  const dir = faults ? faultBundle(wasm) : bundleDir();
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, faults ? 'fault-entry.mjs' : 'index.js'),
    // Module names are paths relative to this root; workerd refuses names that climb out with "..".
    modulesRoot: dir,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }, { type: 'ESModule', include: ['**/*.js'] }],
    compatibilityDate: compatibilityDate(),
    d1Databases: { DB: 'phonehome' },
    ...(persist === undefined ? {} : { d1Persist: persist }),
    bindings: { ...wranglerVars(), ...vars },
    ...(port === undefined ? {} : { host: '127.0.0.1', port }),
    ...(log === undefined ? {} : { handleRuntimeStdio: log }),
  });
  let db;
  let url;
  try {
    url = await mf.ready;
    db = await mf.getD1Database('DB');
    await db.batch(schemaStatements().map((s) => db.prepare(s)));
  } catch (error) {
    await mf.dispose(); // a live workerd would keep the test process from exiting
    throw error;
  }

  return {
    mf,
    db,
    url,
    post(path, body, headers = { 'content-type': 'application/json' }) {
      const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      return mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', body: payload, headers });
    },
    fetch(path, init) {
      return mf.dispatchFetch(`http://localhost${path}`, init);
    },
    // setFault() makes D1 writes fail: "none", "fail" (the batch fails, nothing written) or
    // "commit-then-fail" (the batch commits, then the answer is lost).
    async setFault(mode) {
      const response = await mf.dispatchFetch(`http://localhost/__test/d1-fault?mode=${mode}`, { method: 'POST' });
      if (response.status !== 204) throw new Error(`setFault(${mode}): ${response.status}`);
    },
    async rows(sql = 'SELECT * FROM events ORDER BY occurred_at, event_id') {
      return (await db.prepare(sql).all()).results;
    },
    async clear() {
      await db.batch([db.prepare('DELETE FROM events'), db.prepare('DELETE FROM write_budget')]);
    },
    async close() {
      await mf.dispose();
      if (faults) rmSync(dir, { recursive: true, force: true });
    },
  };
}
