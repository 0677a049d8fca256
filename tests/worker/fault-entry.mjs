// fault-entry.mjs: a test-only entry that wraps the real Worker (./index.js, the wrangler bundle)
// and its real D1 binding, to inject the faults a local D1 cannot produce: a write that fails,
// and a write that commits but whose answer is lost. Never deployed.
import worker from './index.js';

let mode = 'none';

function faultyDatabase(db) {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'batch') {
        return async (statements) => {
          if (mode === 'fail') throw new Error('D1_ERROR: injected failure');
          const results = await target.batch(statements);
          if (mode === 'commit-then-fail') throw new Error('D1_ERROR: injected network loss after commit');
          return results;
        };
      }
      const value = target[property];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/__test/d1-fault') {
      mode = url.searchParams.get('mode') ?? 'none';
      return new Response(null, { status: 204 });
    }
    return worker.fetch(request, { ...env, DB: faultyDatabase(env.DB) }, ctx);
  },
};
