// fault-entry.mjs: a test-only entry that wraps the real Worker (./index.js, the wrangler bundle)
// and its real D1 bindings, to inject the faults a local D1 cannot produce: a write that fails, a
// write that commits but whose answer is lost, and a database too busy to take more writes at
// once (production D1 answers "overloaded"). It wraps the fetch, queue and scheduled handlers
// alike. Never deployed.
import worker from './index.js';

let fault = { mode: 'none' };
let calls = 0;
let inFlight = 0;

const OVERLOADED = 'D1_ERROR: D1 DB is overloaded. Too many requests queued.';

function stepOf() {
  if (fault.mode !== 'sequence') return fault.mode;
  return fault.steps[calls++ % fault.steps.length];
}

function faultyDatabase(db, binding) {
  return new Proxy(db, {
    get(target, property) {
      if (property === 'batch') {
        return async (statements) => {
          if (fault.binding && fault.binding !== binding) return target.batch(statements);
          if (fault.mode === 'overload') {
            if (inFlight >= fault.limit) throw new Error(OVERLOADED);
            inFlight++;
            try {
              return await target.batch(statements);
            } finally {
              inFlight--;
            }
          }
          const step = stepOf();
          if (step === 'fail') throw new Error('D1_ERROR: injected failure');
          const results = await target.batch(statements);
          if (step === 'commit-then-fail') throw new Error('D1_ERROR: injected network loss after commit');
          return results;
        };
      }
      const value = target[property];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// Every D1 binding is wrapped; everything else passes through.
function faultyEnv(env) {
  const out = { ...env };
  for (const [name, value] of Object.entries(env)) {
    if (value && typeof value.batch === 'function' && typeof value.prepare === 'function') out[name] = faultyDatabase(value, name);
  }
  return out;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === '/__test/d1-fault') {
      const params = url.searchParams;
      fault = {
        mode: params.get('mode') ?? 'none',
        limit: Number(params.get('limit') ?? 1),
        steps: (params.get('steps') ?? 'ok').split(','),
        binding: params.get('binding'), // only this D1 binding fails; all when absent
      };
      calls = 0;
      return new Response(null, { status: 204 });
    }
    return worker.fetch(request, faultyEnv(env), ctx);
  },
  async queue(batch, env, ctx) {
    return worker.queue(batch, faultyEnv(env), ctx);
  },
  async scheduled(controller, env, ctx) {
    return worker.scheduled(controller, faultyEnv(env), ctx);
  },
};
