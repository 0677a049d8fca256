// core.mjs: phonehome's Wasm core for Node: the prebuilt dist/phonehome.wasm, compiled once per
// process, and the SHA-256 of its bytes (what /v1/schema shows as core_sha256).
// PHONEHOME_CORE_WASM names another build of the core, for someone changing it (scripts/build-wasm
// writes build/wasm/phonehome.wasm).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DIST_WASM = fileURLToPath(new URL('../dist/phonehome.wasm', import.meta.url));

export function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

let compiled = null;

// coreModule() is { module, sha256, path }. A missing module is a broken install, not a problem of
// the caller's catalogue: the error says which file.
export function coreModule() {
  const path = process.env.PHONEHOME_CORE_WASM || DIST_WASM;
  if (compiled?.path === path) return compiled;
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read the phonehome core ${path}: ${error.code ?? error.message}`);
  }
  compiled = { module: new WebAssembly.Module(bytes), sha256: sha256(bytes), path };
  return compiled;
}
