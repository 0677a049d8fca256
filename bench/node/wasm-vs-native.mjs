// wasm-vs-native.mjs: the Wasm core as the Worker runs it (worker/core.js: bytes in, the result
// decoded) against the native core (build/native/bench/bench_ingest, Google Benchmark) on the same
// 100-event requests of every reference event. The native figures are taken before and after the
// Wasm ones and averaged, so a slow phase of a shared machine falls on both sides.
//
//   node bench/node/wasm-vs-native.mjs [--wasm build/wasm/phonehome.wasm]
// Prints, per case, native MB/s and µs, Wasm µs and the ratio Wasm / native, then a summary line:
// native throughput (geometric mean, issue 18's target 250 MB/s) and the ratio (target ≤ 1.5).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { instantiateCore } from '../../worker/core.js';
import { geometricMean, median, table } from './measure.mjs';
import { referenceCases } from './reference-cases.mjs';

const root = new URL('../../', import.meta.url).pathname;
const { values: args } = parseArgs({ options: { wasm: { type: 'string', default: `${root}build/wasm/phonehome.wasm` } } });
const RECEIVED_AT = 1795240900000;
const say = (text) => console.log(`wasm-vs-native: ${text}`);

// nativeRun() is one Google Benchmark run of every 100-event request: case → µs per request.
function nativeRun() {
  const out = execFileSync(`${root}build/native/bench/bench_ingest`,
    ['--benchmark_filter=^batch100/', '--benchmark_min_time=0.3', '--benchmark_format=json'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const times = new Map();
  for (const b of JSON.parse(out).benchmarks) times.set(b.name.replace(/^batch100\//, ''), b.cpu_time / 1000);
  return times;
}

// wasmRun() times each case's request through the Wasm core: the median of rounds of 20 calls.
function wasmRun(core, cases) {
  const times = new Map();
  // Every case first, so V8 has tiered the core's functions up before the first case is timed.
  for (let i = 0; i < 20; i++) {
    for (const c of cases) core.ingest({ product: c.product, event: c.event, body: c.batch100, receivedAt: RECEIVED_AT });
  }
  for (const c of cases) {
    const call = () => core.ingest({ product: c.product, event: c.event, body: c.batch100, receivedAt: RECEIVED_AT });
    for (let i = 0; i < 5; i++) call();
    const rounds = [];
    for (let r = 0; r < 15; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) call();
      rounds.push(((performance.now() - t0) * 1000) / 20);
    }
    times.set(c.id, median(rounds));
  }
  return times;
}

const cases = referenceCases();
const catalogue = readFileSync(`${root}build/wasm/generated/catalogue.json`, 'utf8');
const core = await instantiateCore(new WebAssembly.Module(readFileSync(args.wasm)), catalogue);
for (const c of cases) {
  const result = core.ingest({ product: c.product, event: c.event, body: c.batch100, receivedAt: RECEIVED_AT });
  if (result.rowCount !== 100) throw new Error(`${c.id}: the Wasm core stored ${result.rowCount} of 100 events`);
}

const before = nativeRun();
const wasm = wasmRun(core, cases);
const after = nativeRun();
const rows = [['case', 'bytes', 'native µs', 'native MB/s', 'Wasm µs', 'Wasm/native']];
const throughputs = [];
const ratios = [];
for (const c of cases) {
  if (!before.has(c.id) || !after.has(c.id)) throw new Error(`${c.id}: no native figure (is bench_ingest built from the same vectors?)`);
  const native = (before.get(c.id) + after.get(c.id)) / 2;
  const mbs = c.batch100.length / native;  // bytes per µs is MB/s
  const ratio = wasm.get(c.id) / native;
  throughputs.push(mbs);
  ratios.push(ratio);
  rows.push([c.id, c.batch100.length, native.toFixed(1), mbs.toFixed(0), wasm.get(c.id).toFixed(1), ratio.toFixed(2)]);
}
rows.push(['geometric mean', '', '', geometricMean(throughputs).toFixed(0), '', geometricMean(ratios).toFixed(2)]);
console.log(table(rows));
say(`summary: native ${geometricMean(throughputs).toFixed(0)} MB/s on 100-event requests (geometric mean; lowest ${Math.min(...throughputs).toFixed(0)}), ` +
  `Wasm ${geometricMean(ratios).toFixed(2)}× native (worst ${Math.max(...ratios).toFixed(2)}×)`);
