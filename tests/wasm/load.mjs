// load.mjs: loading a Wasm build for the Node tests, through the Worker's own loader.
import { readFileSync } from 'node:fs';
import { instantiateCore } from '../../worker/core.js';

export function modulePath() {
  const path = process.env.PHONEHOME_WASM;
  if (!path) throw new Error('PHONEHOME_WASM must name the .wasm to test (ctest sets it)');
  return path;
}

export function compileModule(path = modulePath()) {
  return new WebAssembly.Module(readFileSync(path));
}

export async function loadCore(path = modulePath()) {
  return instantiateCore(compileModule(path));
}
