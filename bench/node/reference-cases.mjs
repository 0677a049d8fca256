// reference-cases.mjs: the benchmark inputs: every reference payload of
// tests/vectors/catalogue/reference.json, alone, as a request of 100 distinct events and of 1,000.
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;
const encoder = new TextEncoder();

// distinctCopy() makes copy n of an event distinct, so a batch is n events to store and not one
// event and its duplicates (which cost less): the last four hex digits of every UUID become n.
// bench/native/bench_ingest.cpp applies the same rule.
function distinctCopy(json, n) {
  const tag = n.toString(16).padStart(4, '0');
  return json.replace(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{8}([0-9a-fA-F]{4})/g,
    (uuid) => uuid.slice(0, 32) + tag);
}
const batchOf = (json, count) => encoder.encode(`[${Array.from({ length: count }, (_, n) => distinctCopy(json, n)).join(',')}]`);

export function referenceCases() {
  const doc = JSON.parse(readFileSync(`${root}tests/vectors/catalogue/reference.json`, 'utf8'));
  return doc.cases.filter((c) => c.id.endsWith('-reference')).map((c) => ({
    id: c.id.replace(/-reference$/, ''),
    product: c.product,
    event: c.event,
    single: encoder.encode(JSON.stringify(c.body)),
    batch100: batchOf(JSON.stringify(c.body), 100),
    batch1000: batchOf(JSON.stringify(c.body), 1000),
  }));
}
