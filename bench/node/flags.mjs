// flags.mjs: compares builds of the Wasm module made with different compiler and linker settings
// (scripts/bench --flags builds them into build/flags/): size raw and gzipped, and time per event
// on the reference 100-event requests. Builds are timed in interleaved rounds (every build once
// per round), so a slow phase of a shared machine falls on all of them; the first build is the
// baseline of the ratios.
//   node bench/node/flags.mjs MODULE.wasm...
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { gzipSync } from 'node:zlib';
import { referenceCatalogueJson } from '../../tests/wasm/load.mjs';
import { instantiateCore } from '../../worker/core.js';
import { geometricMean, median, table } from './measure.mjs';
import { referenceCases } from './reference-cases.mjs';

const ROUNDS = 9;
const CALLS = 20; // 100-event requests per case per round
const files = process.argv.slice(2);
const cases = referenceCases();
const builds = [];
for (const file of files) {
  const bytes = readFileSync(file);
  builds.push({ name: basename(dirname(file)), bytes, core: await instantiateCore(new WebAssembly.Module(bytes), referenceCatalogueJson()), rounds: [] });
}

// One round of a build: every reference case, CALLS times; µs per event, geometric mean of cases.
function round(core) {
  const perEvent = cases.map((c) => {
    const t0 = performance.now();
    for (let i = 0; i < CALLS; i++) core.ingest({ product: c.product, event: c.event, body: c.batch100, receivedAt: 1795240900000 });
    return ((performance.now() - t0) * 1000) / (CALLS * 100);
  });
  return geometricMean(perEvent);
}

for (const build of builds) round(build.core); // warm-up
for (let r = 0; r < ROUNDS; r++) {
  for (const build of builds) build.rounds.push(round(build.core));
}
const rows = [['build', 'raw bytes', 'gzip bytes', 'µs/event (geo. mean, 100-event requests)', `vs ${builds[0].name}`]];
for (const build of builds) {
  const ratio = median(build.rounds.map((t, r) => t / builds[0].rounds[r]));
  rows.push([build.name, build.bytes.length, gzipSync(build.bytes, { level: 9 }).length, median(build.rounds).toFixed(2), ratio.toFixed(2)]);
}
console.log(table(rows));
