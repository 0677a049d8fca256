#!/usr/bin/env node
// scale.mjs: the daily maintenance at scale (rollups of finished days into rollup_daily, then
// retention), in real workerd with a real local D1, as the Worker is bundled for deployment. For
// each daily volume N it builds three days inside D1 (yesterday and the day before with N events
// each, mostly from the same installs, and one day past RETENTION_DAYS with N events to delete),
// runs the scheduled handler until no day is left pending and no expired event remains, and
// reports what maintenance_runs recorded (queries, D1 time, longest statement, rows read and
// written) with the ingest latency a steady sender saw during the maintenance and in the 10 s
// before it. The flood case rolls up the same day again with one never-seen install that sent
// K events that day: the rollup's cost should grow by no more than its share of the day's events.
//
// Locally, D1 runs in the Worker's own workerd process, and workerd reads no socket while work in
// the process is ready to run: a chain of D1 calls would keep every request out until it ended
// (this benchmark measured ingest p50 27 s during a 50 s run). The maintenance therefore yields a
// turn of the event loop after each statement (worker/maintenance.js), and here an ingest request
// waits for the statement D1 is running, and sometimes the next. In production each D1 call is a
// network round trip, and a request waits for at most the statement D1 is running.
//
//   node bench/scale.mjs [--events 100000,1000000] [--quick] [--flood 10000] [--rate 20]
//
//   --events  events a day, one case each (--quick: 20000 only)
//   --flood   events of the one new install in the flood case (at N = 100000, else the smallest N)
//   --rate    requests a second the ingest sender posts during the measurements
//   ROLLUP_STATEMENT_MS in the environment overrides wrangler.toml's, to compare targets
import { exitWithUsageOnHelp } from '../scripts/lib/usage.mjs';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, table } from './node/measure.mjs';

exitWithUsageOnHelp(import.meta.url);
const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '100000,1000000' },
    quick: { type: 'boolean', default: false },
    flood: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '20' },
  },
});
const say = (text) => console.log(`scale: ${text}`);
const root = new URL('../', import.meta.url).pathname;
const SIZES = args.quick ? [20_000] : args.events.split(',').map(Number);
const FLOOD_EVENTS = Number(args.flood);
const FLOOD_AT = SIZES.includes(100_000) ? 100_000 : Math.min(...SIZES);
const BASELINE_MS = 10_000;
const STATEMENT_ROWS = 100_000;
const DAY_MS = 86_400_000;
const TOKEN = 'bench-token-0123456789';
const VARS = {
  DAILY_WRITE_BUDGET: '1000000000', DAILY_INSTALL_SHARE: '1000000', STATS_TOKEN: TOKEN,
  MAINTENANCE_QUERY_LIMIT: '1000', ROLLUP_LOOKBACK_DAYS: '2',
  ...(process.env.ROLLUP_STATEMENT_MS ? { ROLLUP_STATEMENT_MS: process.env.ROLLUP_STATEMENT_MS } : {}),
};

process.env.PHONEHOME_WORKER_BUNDLE ??= join(root, 'build/worker-bundle');
say(`bundling the Worker into ${process.env.PHONEHOME_WORKER_BUNDLE}`);
execFileSync(join(root, 'scripts/bundle-worker'), [process.env.PHONEHOME_WORKER_BUNDLE], { stdio: 'ignore' });
const { startWorker, wranglerVars, referenceVectorsFile } = await import('../tests/worker/harness.mjs');
const RETENTION_DAYS = Number(wranglerVars().RETENTION_DAYS ?? 90);

// The Worker's ingest runs on the real clock, so the days are real: the maintenance runs at 00:30
// UTC today, which makes yesterday the newest finished day.
const today = Math.floor(Date.now() / DAY_MS);
const NOW = today * DAY_MS + 30 * 60_000;
const YESTERDAY = today - 1;
const EXPIRED = today - RETENTION_DAYS - 1; // the newest day retention deletes
const dateOf = (day) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const count = (n) => Math.round(n).toLocaleString('en-US');
const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');

// ---- The generator: rows made inside D1 from row numbers alone ----
// SQLite evaluates random() again wherever a subquery's column is used, so every attribute is an
// integer hash of the row number i or of the unit u: the same unit always has the same version,
// os, arch and runtime. H() keeps bits 8-31 of a multiplicative hash (the low bits cycle).
const PRIMES = [2654435761, 2246822519, 3266489917, 668265263, 374761393, 3144134277, 1013904223, 2166136261, 16777619, 1103515245];
const H = (x, k) => `((((${x}) * ${PRIMES[k]}) % 4294967296) >> 8)`;
const FLOOD_UNIT = 2 ** 24 - 1; // beyond every day's units (at most 2^24), so never seen before
const FLOOD_FIRST_ROW = 100_000_000; // above every day's row numbers: event ids stay unique

// An install's id, from its unit u, its key ikey (u, or a key of its own day for the few units
// that are new that day) and their hashes hu, hv: fixed for the install, unique by ikey.
const INSTALL_ID = `printf('%08x-%04x-4%03x-a%03x-%012x', ${H('u', 5)}, hu % 65536, hv % 4096, hu / 65536 % 4096, ikey)`;
const SUCCESS_EVENTS = "('run', 'playground', 'component', 'mcp_tool')"; // langflow's success_field: success
const sessionId = (n, code, key) => `printf('%08x-%04x-4%03x-b000-%012x', ?1, ${n}, ${code}, ${key})`;

// daySql() inserts rows lo..hi-1 (?3, ?4) of day ?1 among ?2 units, or (?5 set) rows of that one
// unit as a new agentsonar install. Units are Zipf-ish: u = U·r² for r uniform in [0, 1), so the
// first units send hundreds or thousands of events a day and most send a few. Each unit is one
// product's install (agentsonar, several sessions a day; axon) or session holder (langflow's
// flows, axolotl's runs, axonflow's instance); 5% of a day's installs are new that day.
function daySql() {
  const r = `(${H('i', 0)} >> 4)`; // 20 bits: r² · U stays inside 64 bits
  return `INSERT INTO events (event_id, product, event, install_id, session_id, version, os, arch, runtime,
    runtime_version, occurred_at, received_at, time_source, properties, day)
SELECT printf('%06x%06x%08x%012x', ${H('i + ?1', 6)}, ${H('u', 7)}, ?1, i), product, event,
  CASE WHEN product IN ('agentsonar', 'axon') THEN ${INSTALL_ID} END,
  CASE product WHEN 'agentsonar' THEN ${sessionId('hk % (1 + hu % 4)', 0, 'ikey')}
    WHEN 'langflow' THEN CASE WHEN event IN ('run', 'playground', 'component', 'component_inputs') THEN ${sessionId('hk % (1 + hu % 8)', 1, 'u')} END
    WHEN 'axolotl' THEN ${sessionId('hk % (1 + hu % 2)', 2, 'u')}
    WHEN 'axonflow' THEN printf('%08x-0000-4003-b000-%012x', 0, u) END,
  CASE product WHEN 'langflow' THEN '1.' WHEN 'axonflow' THEN '6.' ELSE '0.' END || (hv % 8) || '.' || (hv / 8 % 4),
  CASE WHEN product = 'axon' THEN NULL WHEN hv / 32 % 10 < 6 THEN 'linux' WHEN hv / 32 % 10 < 9 THEN 'darwin' ELSE 'windows' END,
  CASE WHEN hv / 320 % 10 < 6 THEN 'x86_64' WHEN hv / 320 % 10 < 9 THEN 'arm64' END,
  CASE product WHEN 'axon' THEN 'kubernetes' WHEN 'axonflow' THEN CASE hv / 3200 % 3 WHEN 0 THEN 'java' WHEN 1 THEN 'python' ELSE 'node' END ELSE 'python' END,
  CASE product WHEN 'axon' THEN '1.' || (28 + hv / 9600 % 4) ELSE '3.' || (10 + hv / 9600 % 4) END,
  at, at + hk % 4000, 'client',
  CASE WHEN product = 'langflow' AND event IN ${SUCCESS_EVENTS} THEN json_object('success', json(CASE WHEN hk % 10 < 8 THEN 'true' ELSE 'false' END),
      'seconds', hk % 30, 'client_type', 'oss', 'distribution', 'python_package')
    WHEN product = 'agentsonar' THEN json_object('adapter', CASE hu % 3 WHEN 0 THEN 'crewai' WHEN 1 THEN 'langgraph' ELSE 'autogen' END)
    WHEN product = 'axon' THEN json_object('k8s_version_full', '1.30.2', 'tasks', json_object('total', hk % 100, 'failed', hk % 7))
    WHEN product = 'axolotl' THEN json_object('step', hk % 1000, 'total_steps', 1000, 'elapsed_seconds', hk % 5000)
    ELSE json_object('client_type', 'oss', 'distribution', 'python_package') END, ?1
FROM (SELECT *, ?1 * 86400000 + (${H('i', 8)} * 86400000 >> 24) AS at,
    CASE product WHEN 'agentsonar' THEN 'session' WHEN 'axon' THEN 'heartbeat' WHEN 'axonflow' THEN 'sdk_init'
      WHEN 'axolotl' THEN CASE WHEN hj % 100 < 70 THEN 'runtime_metrics' WHEN hj % 100 < 76 THEN 'system_info'
        WHEN hj % 100 < 82 THEN 'train_start' WHEN hj % 100 < 88 THEN 'train_end' WHEN hj % 100 < 94 THEN 'usage' ELSE 'error' END
      ELSE CASE WHEN hj % 100 < 25 THEN 'run' WHEN hj % 100 < 35 THEN 'playground' WHEN hj % 100 < 65 THEN 'component'
        WHEN hj % 100 < 75 THEN 'component_inputs' WHEN hj % 100 < 80 THEN 'mcp_tool' WHEN hj % 100 < 85 THEN 'version'
        WHEN hj % 100 < 90 THEN 'shutdown' WHEN hj % 100 < 95 THEN 'exception' ELSE 'component_index' END END AS event
  FROM (SELECT *, CASE WHEN ?5 IS NOT NULL OR hu % 100 < 30 THEN 'agentsonar' WHEN hu % 100 < 40 THEN 'axon'
        WHEN hu % 100 < 75 THEN 'langflow' WHEN hu % 100 < 90 THEN 'axolotl' ELSE 'axonflow' END AS product,
      CASE WHEN ?5 IS NULL AND ${H('u * 31 + ?1', 4)} % 100 < 5 THEN (?1 + 1) * 16777216 + u ELSE u END AS ikey
    FROM (SELECT i, u, ${H('u', 1)} AS hu, ${H('u', 2)} AS hv, ${H('i', 3)} AS hj, ${H('i', 9)} AS hk
      FROM (SELECT i, coalesce(?5, ${r} * ${r} * ?2 >> 40) AS u
        FROM (WITH RECURSIVE n(i) AS (SELECT ?3 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?4) SELECT i FROM n)))))`;
}

async function buildDay(worker, sql, label, day, events) {
  const units = Math.max(200, Math.floor(events / 4));
  for (let lo = 0; lo < events; lo += STATEMENT_ROWS) {
    const hi = Math.min(events, lo + STATEMENT_ROWS);
    const t0 = performance.now();
    await worker.execute(sql, [day, units, lo, hi, null]);
    say(`  ${label} (${dateOf(day)}): rows ${count(lo)}-${count(hi)} of ${count(events)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

// ---- The ingest sender: one valid event every 1000/rate ms, whatever the answers take ----
const reference = JSON.parse(readFileSync(referenceVectorsFile, 'utf8')).cases
  .find((c) => c.product === 'agentsonar' && c.event === 'session' && c.expect.outcome === 'ok');
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

// Requests go out on a fixed schedule, not after the previous answer, so a stalled Worker shows up
// as slow answers rather than as fewer requests (no coordinated omission).
function startSender(url) {
  const samples = [];
  const pending = new Set();
  const period = 1000 / Number(args.rate);
  let last = performance.now();
  let stall = 0; // the longest this process was late sending: if large, Node was blocked
  const timer = setInterval(() => {
    stall = Math.max(stall, performance.now() - last - period);
    last = performance.now();
    // A session_id of its own for each request: the event's dedup field, so each one is accepted.
    const body = JSON.stringify({ ...reference.body, session_id: randomUUID(), timestamp: Date.now() / 1000 });
    const t0 = performance.now();
    const request = fetch(new URL(`/v1/${reference.product}/${reference.event}`, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (response) => {
        const answer = await response.json().catch(() => ({}));
        samples.push({ ms: performance.now() - t0, outcome: `${response.status} ${answer.results?.[0]?.status ?? answer.error?.code ?? ''}`.trim() });
      }, (error) => samples.push({ ms: performance.now() - t0, outcome: error.cause?.code ?? error.message }))
      .finally(() => pending.delete(request));
    pending.add(request);
  }, period);
  return async () => {
    clearInterval(timer);
    await Promise.all(pending);
    const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
    const failed = samples.filter((s) => s.outcome !== '200 accepted');
    const tally = {};
    for (const { outcome } of failed) tally[outcome] = (tally[outcome] ?? 0) + 1;
    const why = Object.entries(tally).map(([outcome, n]) => `${n} × ${outcome}`).join(', ');
    return { requests: samples.length, failed: failed.length, why, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, stall };
  };
}

// ---- The maintenance ----
// runMaintenance() fires the Cron Trigger once (at NOW: every run sees the same days) and waits
// for the run's row in maintenance_runs, which it writes when it ends.
async function runMaintenance(worker, failures) {
  const [{ n: before }] = await worker.execute('SELECT count(*) AS n FROM maintenance_runs');
  const phonehome = await worker.mf.getWorker('phonehome');
  await phonehome.scheduled({ scheduledTime: new Date(NOW), cron: '20 * * * *' });
  for (const deadline = Date.now() + 30 * 60_000; Date.now() < deadline;) {
    if (failures.length) throw new Error(`the maintenance failed: ${failures.join(' ')}`);
    const [{ n }] = await worker.execute('SELECT count(*) AS n FROM maintenance_runs');
    if (n > before) {
      const [last] = await worker.execute('SELECT * FROM maintenance_runs ORDER BY started_at DESC LIMIT 1');
      if (last.finished_at != null) return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // every poll is a D1 query too
  }
  throw new Error('no maintenance_runs row after 30 minutes');
}

async function maintain(worker, failures) {
  const runs = [];
  const stop = startSender(worker.url);
  const t0 = performance.now();
  for (;;) {
    const run = await runMaintenance(worker, failures);
    runs.push(run);
    const [{ n: expired }] = await worker.execute('SELECT count(*) AS n FROM events WHERE day <= ?1', [EXPIRED]);
    say(`  run ${runs.length}: ${run.queries} queries, D1 ${run.d1_ms} ms (longest ${run.longest_ms} ms), rows read ${count(run.rows_read)}, ` +
      `written ${count(run.rows_written)}; ${run.rolled_up_days} days rolled up, ${count(run.deleted_events)} events deleted; ` +
      `${run.pending_days} days pending, ${count(expired)} expired events left`);
    if (run.pending_days === 0 && expired === 0) break;
    if (runs.length >= 200) throw new Error('200 maintenance runs and still not done');
  }
  const wallMs = performance.now() - t0;
  const sum = (key) => runs.reduce((s, r) => s + Number(r[key] ?? 0), 0);
  return {
    runs: runs.length, queries: sum('queries'), d1Ms: sum('d1_ms'), longestMs: Math.max(...runs.map((r) => r.longest_ms)),
    rowsRead: sum('rows_read'), rowsWritten: sum('rows_written'), rolledUp: sum('rolled_up_days'), deleted: sum('deleted_events'),
    longestRunMs: Math.max(...runs.map((r) => r.finished_at - r.started_at)), wallMs, ingest: await stop(),
  };
}

// ---- The flood case ----
// rollupCost() re-runs yesterday's rollup through the stats route, whose answer reports what it
// asked of D1 as a maintenance run does.
async function rollupCost(worker) {
  const response = await worker.fetch(`/v1/stats/rollup?from=${dateOf(YESTERDAY)}&to=${dateOf(YESTERDAY)}`,
    { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
  const answer = await response.json();
  if (!response.ok || answer.d1_ms === undefined) throw new Error(`POST /v1/stats/rollup: ${response.status} ${JSON.stringify(answer)}`);
  return { d1Ms: answer.d1_ms, rowsRead: answer.rows_read, longestMs: answer.longest_ms };
}

// flood() alternates rollups of yesterday without and with the new install's events, so that a
// drift in the machine's speed falls on both halves of each pair; the ratios are the pairs' medians.
const FLOOD_PAIRS = 5;
async function flood(worker) {
  const sql = daySql();
  const [{ id }] = await worker.execute(`SELECT ${INSTALL_ID} AS id FROM (SELECT ?1 AS u, ?1 AS ikey, ${H('?1', 1)} AS hu, ${H('?1', 2)} AS hv)`, [FLOOD_UNIT]);
  const pairs = [];
  for (let p = 0; p < FLOOD_PAIRS; p++) {
    const without = await rollupCost(worker);
    await worker.execute(sql, [YESTERDAY, 1, FLOOD_FIRST_ROW, FLOOD_FIRST_ROW + FLOOD_EVENTS, FLOOD_UNIT]);
    const withFlood = await rollupCost(worker);
    const [{ n }] = await worker.execute('SELECT count(*) AS n FROM events WHERE install_id = ?1', [id]);
    await worker.execute('DELETE FROM events WHERE install_id = ?1', [id]);
    say(`  pair ${p + 1}: without D1 ${without.d1Ms} ms (longest ${without.longestMs}), ${count(without.rowsRead)} rows read; ` +
      `with ${count(n)} events of install ${id}: D1 ${withFlood.d1Ms} ms (longest ${withFlood.longestMs}), ${count(withFlood.rowsRead)} rows read`);
    pairs.push({ without, withFlood });
  }
  const m = (f) => median(pairs.map(f));
  return {
    d1Ms: [m((p) => p.without.d1Ms), m((p) => p.withFlood.d1Ms)], rowsRead: [m((p) => p.without.rowsRead), m((p) => p.withFlood.rowsRead)],
    longestMs: [m((p) => p.without.longestMs), m((p) => p.withFlood.longestMs)],
    d1Ratio: m((p) => p.withFlood.d1Ms / p.without.d1Ms), readRatio: m((p) => p.withFlood.rowsRead / p.without.rowsRead),
  };
}

// ---- The cases ----
const results = [];
let floodResult = null;
for (const events of SIZES) {
  const persist = mkdtempSync(join(tmpdir(), 'scale-d1-'));
  const failures = [];
  const worker = await startWorker({
    port: 0, vars: VARS, persist,
    log: (stdout, stderr) => {
      stdout.resume();
      stderr.on('data', (chunk) => { if (/maintenance failed/.test(chunk)) failures.push(String(chunk).trim()); });
    },
  });
  try {
    say(`N = ${count(events)} events a day: building 3 days in D1 (${persist})`);
    const sql = daySql();
    const t0 = performance.now();
    for (const [label, day] of [['the day before yesterday', YESTERDAY - 1], ['yesterday', YESTERDAY], ['the expired day', EXPIRED]]) {
      await buildDay(worker, sql, label, day, events);
    }
    const [shape] = await worker.execute(`SELECT count(*) AS events, count(DISTINCT install_id) AS installs,
      count(DISTINCT install_id) FILTER (WHERE install_id NOT IN (SELECT install_id FROM events WHERE day = ?1 - 1 AND install_id IS NOT NULL)) AS new_installs,
      count(DISTINCT session_id) AS sessions FROM events WHERE day = ?1`, [YESTERDAY]);
    say(`  built in ${((performance.now() - t0) / 1000).toFixed(0)} s; yesterday: ${count(shape.events)} events, ${count(shape.installs)} installs ` +
      `(${count(shape.new_installs)} not seen the day before), ${count(shape.sessions)} sessions`);

    say(`  ingest baseline: ${args.rate} requests/s for ${BASELINE_MS / 1000} s`);
    const stopBaseline = startSender(worker.url);
    await new Promise((resolve) => setTimeout(resolve, BASELINE_MS));
    const baseline = await stopBaseline();
    if (baseline.failed) say(`  baseline: not accepted: ${baseline.why}`);
    say('  maintenance, with the sender on');
    const result = { events, ...await maintain(worker, failures), baseline };
    results.push(result);
    say(`  ingest during the maintenance: ${result.ingest.requests} requests, p50 ${ms(result.ingest.p50)} ms, p99 ${ms(result.ingest.p99)} ms, ` +
      `max ${ms(result.ingest.max)} ms (the longest run lasted ${count(result.longestRunMs)} ms; the sender was at most ${count(result.ingest.stall)} ms late)` +
      (result.ingest.failed ? `; not accepted: ${result.ingest.why}` : ''));
    if (events === FLOOD_AT) {
      say(`  flood: yesterday's rollup without and with one new install's ${count(FLOOD_EVENTS)} events`);
      floodResult = { events, ...await flood(worker) };
    }
  } finally {
    await worker.close();
    rmSync(persist, { recursive: true, force: true });
  }
}

// ---- The report ----
const latency = (l) => `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}`;
console.log();
console.log(table([
  ['events a day', 'runs', 'queries', 'D1 s', 'longest ms', 'rows read', 'rows written', 'deleted', 'wall s', 'longest run s', 'ingest before p50/p99/max ms', 'during', 'failed'],
  ...results.map((r) => [count(r.events), r.runs, r.queries, (r.d1Ms / 1000).toFixed(2), count(r.longestMs), count(r.rowsRead), count(r.rowsWritten),
    count(r.deleted), (r.wallMs / 1000).toFixed(1), (r.longestRunMs / 1000).toFixed(1), latency(r.baseline), latency(r.ingest), r.baseline.failed + r.ingest.failed]),
]));
if (floodResult) {
  console.log();
  console.log(table([
    [`yesterday's rollup at ${count(floodResult.events)} a day`, 'events', 'D1 ms', 'longest ms', 'rows read'],
    ['without the new install', count(floodResult.events), count(floodResult.d1Ms[0]), count(floodResult.longestMs[0]), count(floodResult.rowsRead[0])],
    [`with its ${count(FLOOD_EVENTS)} events`, count(floodResult.events + FLOOD_EVENTS), count(floodResult.d1Ms[1]), count(floodResult.longestMs[1]), count(floodResult.rowsRead[1])],
    [`ratio (median of ${FLOOD_PAIRS} pairs)`, `${((floodResult.events + FLOOD_EVENTS) / floodResult.events).toFixed(3)}×`,
      `${floodResult.d1Ratio.toFixed(3)}×`, '', `${floodResult.readRatio.toFixed(3)}×`],
  ]));
}
console.log();
const big = results.reduce((a, b) => (b.events > a.events ? b : a));
say(`summary: ${count(big.events)} events a day: longest statement ${count(big.longestMs)} ms, D1 time ${(big.d1Ms / 1000).toFixed(2)} s for a day's ` +
  `maintenance (${big.rolledUp} days rolled up, ${count(big.deleted)} events deleted, ${big.runs} runs), ingest p99 ${ms(big.ingest.p99)} ms during it ` +
  `(${ms(big.baseline.p99)} ms before)` + (floodResult ? `; flood of ${count(FLOOD_EVENTS)} events from one new install at ${count(floodResult.events)} a day: ` +
  `events ${((floodResult.events + FLOOD_EVENTS) / floodResult.events).toFixed(2)}×, D1 time ${floodResult.d1Ratio.toFixed(2)}×, ` +
  `rows read ${floodResult.readRatio.toFixed(2)}× (target: under 1.10×)` : ''));
