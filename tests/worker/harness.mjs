// harness.mjs: the Worker under test, as wrangler bundles it, in real workerd (Miniflare) with a
// real local D1 that has schema.sql applied.
import { readFileSync } from 'node:fs';
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

function compatibilityDate() {
  const toml = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  return /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)[1];
}

// schemaStatements() splits schema.sql into statements: D1's exec() cannot run multi-line SQL.
export function schemaStatements() {
  const sql = readFileSync(join(root, 'schema.sql'), 'utf8')
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n');
  return sql.split(';').map((s) => s.trim()).filter(Boolean);
}

export async function startWorker(extraOptions = {}) {
  const bundle = process.env.PHONEHOME_WORKER_BUNDLE;
  if (!bundle) throw new Error('PHONEHOME_WORKER_BUNDLE must name the bundle folder (ctest sets it)');
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(bundle, 'index.js'),
    // Module names are paths relative to this root; workerd refuses names that climb out with "..".
    modulesRoot: bundle,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: compatibilityDate(),
    d1Databases: { DB: 'phonehome' },
    ...extraOptions,
  });
  let db;
  try {
    await mf.ready;
    db = await mf.getD1Database('DB');
    await db.batch(schemaStatements().map((s) => db.prepare(s)));
  } catch (error) {
    await mf.dispose(); // a live workerd would keep the test process from exiting
    throw error;
  }

  return {
    mf,
    db,
    post(path, body, headers = { 'content-type': 'application/json' }) {
      const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
      return mf.dispatchFetch(`http://localhost${path}`, { method: 'POST', body: payload, headers });
    },
    fetch(path, init) {
      return mf.dispatchFetch(`http://localhost${path}`, init);
    },
    async rows(sql = 'SELECT * FROM events ORDER BY occurred_at, event_id') {
      return (await db.prepare(sql).all()).results;
    },
    async clear() {
      await db.prepare('DELETE FROM events').run();
    },
    close: () => mf.dispose(),
  };
}
