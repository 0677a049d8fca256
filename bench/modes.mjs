// modes.mjs: direct mode against queue mode (docs/SCALING.md), in turn, on the same machine, with
// the same load: the Worker as wrangler bundles it, in workerd with a real local D1 (and, in queue
// mode, Miniflare's local Queues with wrangler.toml's consumer settings), served on loopback.
// For each mode and load it reports what clients saw (requests/s, p50/p99 latency, 503s) and what
// D1 got: events written per second, from the first request until the last acknowledged event
// is in D1, and in queue mode the consumer's lag. A last round repeats a burst against a D1 that
// takes one write at a time (fault-injected: a busy D1 answers "overloaded"; a local one never does).
//
//   node bench/modes.mjs [--single 4000] [--batch 400] [--concurrency 32] [--rounds 2]
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from '../scripts/lib/dev-server.mjs';
import { runLoad } from '../scripts/lib/load.mjs';
import { median, table } from './node/measure.mjs';

const { values: args } = parseArgs({
  options: {
    single: { type: 'string', default: '4000' },
    batch: { type: 'string', default: '400' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
  },
});
const say = (text) => console.log(`modes: ${text}`);

process.env.PHONEHOME_WORKER_BUNDLE ??= join(root, 'build/worker-bundle');
say(`bundling the Worker into ${process.env.PHONEHOME_WORKER_BUNDLE}`);
execFileSync(join(root, 'scripts/bundle-worker'), [process.env.PHONEHOME_WORKER_BUNDLE], { stdio: 'ignore' });
const { startWorker, waitFor } = await import('../tests/worker/harness.mjs');

const NO_BUDGET = { DAILY_WRITE_BUDGET: '1000000000', STATS_TOKEN: 'bench-token-0123456789' };

// measure() runs one load against a fresh Worker and waits until D1 holds every acknowledged event.
async function measure(mode, load, { overload = false } = {}) {
  const worker = await startWorker({
    port: 0, vars: NO_BUDGET, faults: overload, ...(mode === 'queue' ? { queue: true } : {}),
    // The Worker logs each write D1 refused: the counts below say it better.
    log: (stdout, stderr) => { stdout.resume(); stderr.resume(); },
  });
  try {
    if (overload) await worker.setFault('overload', { limit: 1 });
    const started = performance.now();
    const run = await runLoad({ url: worker.url.href, seconds: 300, maxRetryWaitMs: 20, ...load });
    const answered = performance.now();
    const countSql = `SELECT count(*) AS n FROM events WHERE ${run.runSessions}`;
    await waitFor(async () => (await worker.rows(countSql))[0].n >= run.acknowledged.size, { ms: 300_000, what: 'every acknowledged event in D1' });
    const written = performance.now();
    const [lag] = await worker.rows('SELECT max(max_lag_ms) AS max, sum(total_lag_ms) * 1.0 / sum(messages) AS mean FROM queue_minutely');
    const report = await (await fetch(new URL('/v1/stats/ingest', worker.url), { headers: { authorization: `Bearer ${NO_BUDGET.STATS_TOKEN}` } })).json();
    return {
      requestsPerSecond: run.requests / ((answered - started) / 1000),
      p50: run.latency_ms.p50,
      p99: run.latency_ms.p99,
      first503: run.status[503] ?? 0,
      attempts: run.attempts,
      events: run.acknowledged.size,
      writtenPerSecond: run.acknowledged.size / ((written - started) / 1000),
      drainSeconds: (written - answered) / 1000,
      maxLagMs: lag.max,
      meanLagMs: lag.mean,
      // D1's own measure of the database (size_after), per stored event: indexes and pages included.
      bytesPerEvent: report.stores[0].database_bytes / run.acknowledged.size,
    };
  } finally {
    await worker.close();
  }
}

const LOADS = [
  ['1-event requests', { requests: Number(args.single), concurrency: Number(args.concurrency), mix: 'single' }],
  ['100-event requests', { requests: Number(args.batch), concurrency: Number(args.concurrency) / 2, mix: 'batch', batchSize: 100 }],
];

const rows = [];
const summary = [];
for (const [name, load] of LOADS) {
  const results = { direct: [], queue: [] };
  // Modes alternate within each round, so drift in the machine's speed falls on both.
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const mode of ['direct', 'queue']) {
      const r = await measure(mode, load);
      results[mode].push(r);
      say(`${name}, ${mode}, round ${round + 1}: ${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; ` +
        `${r.writtenPerSecond.toFixed(0)} events/s written; D1 caught up ${r.drainSeconds.toFixed(2)} s after the last answer` +
        (mode === 'queue' ? `; lag mean ${r.meanLagMs.toFixed(0)} ms, max ${r.maxLagMs} ms` : ''));
    }
  }
  const m = (mode, key) => median(results[mode].map((r) => r[key]));
  for (const mode of ['direct', 'queue']) {
    rows.push([name, mode, m(mode, 'requestsPerSecond').toFixed(0), m(mode, 'p50').toFixed(1), m(mode, 'p99').toFixed(1),
      m(mode, 'writtenPerSecond').toFixed(0), m(mode, 'drainSeconds').toFixed(2),
      mode === 'queue' ? `${m(mode, 'meanLagMs').toFixed(0)} / ${m(mode, 'maxLagMs')}` : '-']);
  }
  say(`${name}: the database holds ${m('direct', 'bytesPerEvent').toFixed(0)} bytes per event (D1's size_after)`);
  summary.push(`${name}: queue/direct events written per second ${(m('queue', 'writtenPerSecond') / m('direct', 'writtenPerSecond')).toFixed(2)}, ` +
    `p50 latency ${(m('queue', 'p50') / m('direct', 'p50')).toFixed(2)}`);
}
console.log();
console.log(table([['load', 'mode', 'req/s', 'p50 ms', 'p99 ms', 'events/s written', 'catch-up s', 'lag mean / max ms'], ...rows]));

// The burst against a D1 that takes one write at a time: what share of requests is turned away.
const burst = { requests: 300, concurrency: 24, mix: 'batch', batchSize: 20 };
const busy = {};
for (const mode of ['direct', 'queue']) {
  busy[mode] = await measure(mode, burst, { overload: true });
  say(`burst on a busy D1, ${mode}: ${busy[mode].first503} answers 503 in ${busy[mode].attempts} attempts; ` +
    `${busy[mode].events} events acknowledged, all in D1 ${busy[mode].drainSeconds.toFixed(2)} s after the last answer`);
}
summary.push(`burst on a busy D1: direct ${busy.direct.first503} × 503 in ${busy.direct.attempts} attempts, queue ${busy.queue.first503} × 503`);
console.log();
say(`summary: ${summary.join('; ')}`);
