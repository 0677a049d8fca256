// e2e.mjs: end-to-end throughput on loopback. Serves phonehome through scripts/dev (fresh local
// D1), and through the same wrangler: the no-op Worker of bench/noop-worker, phonehome with its D1
// answered in memory (bench/no-d1-worker: the Worker's own work without the local D1's), and the
// plain JavaScript Worker of bench/js-worker with a local D1 of its own. Drives each with the same
// load generator, in turn, with 1-event and 100-event requests (an array on the event's route,
// which every one of them takes): requests/s, events/s, and the D1 rows written per second.
// Bounded in requests and in time.
//
//   node bench/e2e.mjs [--single 1500] [--batch 300] [--concurrency 16] [--seconds 20] [--rounds 2]
import { parseArgs } from 'node:util';
import { startDev, startWrangler, root } from '../scripts/lib/dev-server.mjs';
import { runLoad } from '../scripts/lib/load.mjs';
import { median, table } from './node/measure.mjs';
import { referenceCases } from './node/reference-cases.mjs';

const { values: args } = parseArgs({
  options: {
    single: { type: 'string', default: '1500' },
    batch: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
  },
});
const say = (text) => console.log(`e2e: ${text}`);
const MIXES = [['single', Number(args.single)], ['batch', Number(args.batch)]];

// timeBigRequests() posts 1,000-event requests one at a time to phonehome without D1 and to the
// no-op Worker: the difference of their median latencies is phonehome's own time in workerd for
// such a request (no I/O is left in it to wait on), against the free plan's 10 ms of CPU.
const BIG_CASES = ['agentsonar-session', 'axolotl-error', 'axon-heartbeat'];
async function timeBigRequests(noop, noD1) {
  const cases = referenceCases().filter((c) => BIG_CASES.includes(c.id));
  const latency = async (server, c) => {
    const samples = [];
    for (let i = 0; i < 23; i++) {
      const t0 = performance.now();
      const response = await fetch(`${server.url}/v1/${c.product}/${c.event}`, { method: 'POST', body: c.batch1000, headers: { 'content-type': 'application/json' } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${c.id}: answered ${response.status}`);
      if (i >= 3) samples.push(performance.now() - t0); // the first three warm up
    }
    return median(samples);
  };
  const results = [];
  for (const c of cases) {
    const base = await latency(noop, c);
    const full = await latency(noD1, c);
    results.push({ id: c.id, bytes: c.batch1000.length, base, full, own: full - base });
    say(`1,000-event request, ${c.id}: no-op ${base.toFixed(2)} ms, phonehome without D1 ${full.toFixed(2)} ms`);
  }
  return results;
}

async function main() {
  say('starting phonehome (scripts/dev), the no-op Worker, phonehome without D1 and the JavaScript Worker');
  const started = await Promise.allSettled([
    startDev({ env: { STATS_TOKEN: 'bench' }, label: 'bench' }),
    startWrangler(`${root}bench/noop-worker/wrangler.toml`),
    startWrangler(`${root}bench/no-d1-worker/wrangler.toml`),
    startWrangler(`${root}bench/js-worker/wrangler.toml`, { d1: true }),
  ]);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    // Stop the ones that did start: a live wrangler would outlive this script.
    for (const s of started) if (s.status === 'fulfilled') s.value.stop();
    throw failed.reason;
  }
  const [phonehome, noop, noD1, js] = started.map((s) => s.value);
  const servers = { 'no-op': noop, 'phonehome without D1': noD1, phonehome, 'JavaScript Worker': js };
  const names = Object.keys(servers);
  const totals = {}; // `${mix} ${worker}` → summed requests, events, rows, seconds
  let bigRequests;
  try {
    const warmUp = (url) => runLoad({ url, requests: 50, concurrency: 4, mix: 'mixed', batchAs: 'array', invalidEvery: 0 });
    for (const server of Object.values(servers)) await warmUp(server.url);
    for (let round = 1; round <= Number(args.rounds); round++) {
      for (const [mix, requests] of MIXES) {
        // Alternate which goes first, so a slow phase of a shared machine falls on both.
        const order = round % 2 ? names : [...names].reverse();
        for (const name of order) {
          const result = await runLoad({
            url: servers[name].url, requests, mix, concurrency: Number(args.concurrency),
            seconds: Number(args.seconds), invalidEvery: 0, batchAs: 'array',
          });
          const rows = servers[name].query
            ? servers[name].query(`SELECT count(*) AS n FROM events WHERE ${result.runSessions}`)[0].n
            : 0;
          // What the load generator retries (a 503, a dropped keep-alive connection) is reported
          // here; any other answer but 200 spoils the run.
          const bad = Object.keys(result.status).filter((code) => !['200', '503', 'network'].includes(code));
          if (bad.length) throw new Error(`${name} answered ${JSON.stringify(result.status)} ${JSON.stringify(result.networkErrors)}`);
          const key = `${mix} ${name}`;
          const t = (totals[key] ??= { requests: 0, events: 0, rows: 0, seconds: 0 });
          t.requests += result.requests; t.events += result.events; t.rows += rows; t.seconds += result.seconds;
          say(`round ${round}: ${mix.padEnd(6)} ${name.padEnd(20)} ${result.requests} requests in ${result.seconds.toFixed(1)} s: ` +
            `${result.requests_per_second.toFixed(0)} req/s, ${result.events_per_second.toFixed(0)} events/s` +
            (servers[name].query ? `, ${rows} rows stored` : '') +
            (result.retries ? `; ${result.retries} retries (HTTP ${JSON.stringify(result.status)}, network ${JSON.stringify(result.networkErrors)})` : ''));
        }
      }
    }
    bigRequests = await timeBigRequests(noop, noD1);
  } finally {
    for (const server of Object.values(servers)) server.stop();
  }

  const rate = (t, n) => n / t.seconds;
  const rows = [['request', 'worker', 'req/s', 'events/s', 'D1 rows/s', 'req/s vs no-op']];
  const ratios = {}; // `${mix} ${worker}` → request rate as a share of the no-op Worker's
  for (const [mix] of MIXES) {
    const base = totals[`${mix} no-op`];
    for (const name of names) {
      const t = totals[`${mix} ${name}`];
      const ratio = (ratios[`${mix} ${name}`] = rate(t, t.requests) / rate(base, base.requests));
      rows.push([mix === 'single' ? '1 event' : '100 events', name, rate(t, t.requests).toFixed(0), rate(t, t.events).toFixed(0),
        t.rows ? rate(t, t.rows).toFixed(0) : '-', ratio.toFixed(2)]);
    }
  }
  console.log(table(rows));
  console.log(table([['1,000-event request', 'body bytes', 'no-op ms', 'phonehome without D1 ms', 'phonehome\'s own ms'],
    ...bigRequests.map((b) => [b.id, b.bytes, b.base.toFixed(2), b.full.toFixed(2), b.own.toFixed(2)])]));
  const worstBig = Math.max(...bigRequests.map((b) => b.own));
  const percent = (key) => `${(ratios[key] * 100).toFixed(0)}%`;
  say(`summary: with 100-event requests phonehome serves ${percent('batch phonehome')} of the no-op Worker's request rate ` +
    `(target ≥ 50%: ${ratios['batch phonehome'] >= 0.5 ? 'met' : 'missed'}), ${percent('batch phonehome without D1')} with its D1 answered in memory; ` +
    `with 1-event requests ${percent('single phonehome')}; a 1,000-event request takes phonehome ≤ ${worstBig.toFixed(1)} ms in workerd`);
}

main().catch((error) => {
  console.error(`e2e: ${error.stack ?? error.message}`);
  process.exit(1);
});
