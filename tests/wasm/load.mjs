// load.mjs: loading a Wasm build for the Node tests, through the Worker's own loader, with the
// reference catalogue compiled from catalogue/ as `phonehome build` compiles it.
import { readFileSync } from 'node:fs';
import { loadCatalogue, publicCatalogue } from '../../cli/catalogue.mjs';
import { instantiateCore } from '../../worker/core.js';

const root = new URL('../../', import.meta.url).pathname;

export function modulePath() {
  const path = process.env.PHONEHOME_WASM;
  if (!path) throw new Error('PHONEHOME_WASM must name the .wasm to test (ctest sets it)');
  return path;
}

export function compileModule(path = modulePath()) {
  return new WebAssembly.Module(readFileSync(path));
}

// referenceCatalogueJson() is the compiled reference catalogue's text, the core's input.
let reference;
export function referenceCatalogueJson() {
  if (reference === undefined) {
    const { products, problems } = loadCatalogue(`${root}catalogue`);
    if (problems.length) throw new Error(`the reference catalogue has problems:\n${problems.join('\n')}`);
    reference = JSON.stringify(publicCatalogue(products));
  }
  return reference;
}

export async function loadCore(path = modulePath(), catalogueJson = referenceCatalogueJson()) {
  return instantiateCore(compileModule(path), catalogueJson);
}
