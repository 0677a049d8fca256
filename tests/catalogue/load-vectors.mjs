// load-vectors.mjs: the loader's vectors (load-vectors.json) for the Node tests, and how a vector's
// document is made: the base with its ops applied, as unit-catalogue-load.cpp makes it.
import { readFileSync } from 'node:fs';

export const vectors = JSON.parse(readFileSync(new URL('./load-vectors.json', import.meta.url), 'utf8'));

// documentOf() is a mutation vector's document (a vector with `text` has none: its text is all).
export function documentOf(vector) {
  const doc = structuredClone(vectors.base);
  for (const op of vector.ops ?? []) {
    const path = op.set ?? op.delete;
    const parent = path.slice(0, -1).reduce((at, key) => at[key], doc);
    const last = path.at(-1);
    if (op.delete !== undefined) {
      if (Array.isArray(parent)) parent.splice(last, 1);
      else delete parent[last];
    } else {
      parent[last] = op.value;
    }
  }
  return doc;
}
