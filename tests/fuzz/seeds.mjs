// seeds.mjs: writes the fuzzers' seed corpora from the shared test vectors, so fuzzing starts
// from every shape of input the tests know.
//   node tests/fuzz/seeds.mjs OUT_DIR PRODUCT...
// OUT_DIR/ingest/ gets "product/event\nbody" inputs; OUT_DIR/<product>/ gets "event\nbody";
// OUT_DIR/scrub/ gets each scrubbing case's text after a byte that picks the bound and the secret;
// OUT_DIR/json_scan/ gets each body alone.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyOf } from '../vectors/parts.mjs';

const [out, ...products] = process.argv.slice(2);
const vectors = new URL('../vectors/', import.meta.url).pathname;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.json') ? [path] : [];
  });
}

function seedBody(c) {
  if (c.input !== undefined) {
    // A scrubbing case travels as the message of an axolotl/error event.
    return Buffer.from(JSON.stringify({ run_id: '5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5', error_type: 'E', message: c.input }));
  }
  return bodyOf(c);
}

const MAX_SEED = 64 * 1024;
let written = 0;
for (const dir of ['ingest', 'scrub', 'json_scan', ...products]) mkdirSync(join(out, dir), { recursive: true });
for (const file of files(vectors)) {
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const scrub = file.includes('/scrub/');
  for (const c of doc.cases ?? []) {
    const product = scrub ? 'axolotl' : c.product ?? doc.defaults?.product ?? '';
    const event = scrub ? 'error' : c.event ?? doc.defaults?.event ?? '';
    const body = seedBody(c);
    if (body.length > MAX_SEED) continue;
    const name = c.id.replace(/[^A-Za-z0-9_.-]/g, '_');
    writeFileSync(join(out, 'ingest', name), Buffer.concat([Buffer.from(`${product}/${event}\n`), body]));
    writeFileSync(join(out, 'json_scan', name), body);
    written++;
    if (products.includes(product)) writeFileSync(join(out, product, name), Buffer.concat([Buffer.from(`${event}\n`), body]));
    if (scrub) writeFileSync(join(out, 'scrub', name), Buffer.concat([Buffer.from([written % 256]), Buffer.from(c.input)]));
  }
}
console.log(`seeds: ${written} inputs in ${out}`);
