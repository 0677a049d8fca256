// instant-d1.mjs: a D1 binding that answers every batch at once, as if it had stored every row,
// for benchmarks that measure a Worker without its database (bench/no-d1-worker/, the start-up
// figure of bench/node/wasm-vs-js.mjs). Shaped like D1's answers for worker/storage.js: the day's
// budget used so far is 0, and no row was stored before. Never deployed, never used by a test.
export const instantDatabase = {
  prepare: () => ({ bind: () => ({ run: async () => ({ meta: { changes: 0 } }) }) }),
  batch: async (statements) => statements.map((_, i) => ({ results: i === 0 ? [{ rows: 0 }] : [] })),
};
