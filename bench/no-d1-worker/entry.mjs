// entry.mjs: the real phonehome Worker (worker/index.js, the same core and code path) with a D1
// binding that answers every batch at once, as if it had stored every row. bench/e2e.mjs serves
// it beside phonehome and the no-op Worker to show how much of a request is phonehome's own work
// and how much the local D1's. A benchmark device only: never deployed, never used by a test.
import worker from '../../worker/index.js';
import { instantDatabase } from '../instant-d1.mjs';

export default {
  fetch: (request, env, ctx) => worker.fetch(request, { ...env, DB: instantDatabase }, ctx),
};
