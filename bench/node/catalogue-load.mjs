#!/usr/bin/env node
// catalogue-load.mjs: what loading the catalogue costs an isolate (once, at its first request): a
// fresh instance of the module with and without ph_load_catalogue, alternating, so the difference
// is the load; and the load alone, repeated on one instance. Medians of many runs, in ms.
//   node bench/node/catalogue-load.mjs [--wasm dist/phonehome.wasm] [--catalogue build/catalogue.json] [--runs 200]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { referenceCatalogueJson } from '../../tests/wasm/load.mjs';
import { instantiateCore } from '../../worker/core.js';
import { median } from './measure.mjs';

const root = new URL('../../', import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    wasm: { type: 'string', default: `${root}dist/phonehome.wasm` },
    catalogue: { type: 'string' },
    runs: { type: 'string', default: '200' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: node bench/node/catalogue-load.mjs [--wasm FILE] [--catalogue COMPILED.json] [--runs N]');
  process.exit(0);
}
const module = new WebAssembly.Module(readFileSync(values.wasm));
const text = values.catalogue ? JSON.stringify(JSON.parse(readFileSync(values.catalogue, 'utf8'))) : referenceCatalogueJson();
const runs = Number(values.runs);

const bare = [];
const loaded = [];
for (let i = 0; i < runs; i++) {
  let t0 = performance.now();
  await instantiateCore(module);
  bare.push(performance.now() - t0);
  t0 = performance.now();
  await instantiateCore(module, text);
  loaded.push(performance.now() - t0);
}
const core = await instantiateCore(module, text);
const alone = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const problem = core.loadCatalogue(text);
  alone.push(performance.now() - t0);
  if (problem !== null) throw new Error(problem);
}
const ms = (x) => `${x.toFixed(3)} ms`;
console.log(`catalogue: ${text.length} bytes; module: ${values.wasm}; ${runs} runs each, medians`);
console.log(`  new instance:                   ${ms(median(bare))}`);
console.log(`  new instance + catalogue load:  ${ms(median(loaded))}`);
console.log(`  catalogue load alone:           ${ms(median(alone))}`);
