// flags.mjs: compares builds of the Wasm module made with different compiler and linker settings
// (scripts/bench --flags builds them into build/flags/): size raw and gzipped, and time per event
// on the reference batches, all in one process, relative to the shipped build.
//   node bench/node/flags.mjs DIR...
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { instantiateCore } from '../../worker/core.js';
import { geometricMean, measure, table } from './measure.mjs';
import { referenceCases } from './reference-cases.mjs';

const builds = process.argv.slice(2);
const cases = referenceCases();
const rows = [['build', 'raw bytes', 'gzip bytes', 'µs/event (geo. mean, batch 100)', 'vs first']];
let first;
for (const file of builds) {
  const bytes = readFileSync(file);
  const core = await instantiateCore(new WebAssembly.Module(bytes));
  const perEvent = cases.map((c) => measure(() => core.ingest({ product: c.product, event: c.event, body: c.batch100, receivedAt: 1795240900000 }), { rounds: 5, minRoundMs: 40 }) / 100);
  const mean = geometricMean(perEvent);
  first ??= mean;
  rows.push([basename(dirname(file)), bytes.length, gzipSync(bytes, { level: 9 }).length, mean.toFixed(2), (mean / first).toFixed(2)]);
}
console.log(table(rows));
