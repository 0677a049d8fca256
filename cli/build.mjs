// build.mjs: `phonehome build`, wrangler's [build] step: the catalogue checked, compiled, and
// loaded into the real core before anything is bundled, so a malformed catalogue stops
// `wrangler dev` and `wrangler deploy` here, with the file and field named, never at run time.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseCommand } from './args.mjs';
import { CatalogueProblems, readCatalogue } from './compiled.mjs';
import { coreModule } from './core.mjs';
import { CatalogueError, instantiateCore } from '../worker/core.js';

export const usage = `usage: phonehome build [--catalogue DIR] [--out FILE]

Checks the catalogue's source files, compiles them into the catalogue the Worker loads, and loads
it into the core the Worker runs. Prints the counts and the catalogue's SHA-256 (the one the
disclosure page and /v1/schema show). A problem is printed as "file: field: message" and exits 1.

  --catalogue DIR   the source folder: presets.json and products/*.json (default: catalogue)
  --out FILE        the compiled catalogue (default: build/catalogue.json), written only on change`;

const OPTIONS = {
  catalogue: { type: 'string', default: 'catalogue' },
  out: { type: 'string', default: 'build/catalogue.json' },
};

// Written only on change: wrangler dev watches what the Worker imports.
function writeIfChanged(file, text) {
  let old;
  try { old = readFileSync(file, 'utf8'); } catch { old = undefined; }
  if (old === text) return false;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return true;
}

function fail(catalogue, problems) {
  console.error(`phonehome build: the catalogue ${catalogue} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
  for (const line of problems) console.error(line);
  return 1;
}

export async function run(args) {
  const { values } = parseCommand(args, OPTIONS, { positionals: false });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  let compiled;
  try {
    compiled = readCatalogue(values.catalogue);
  } catch (error) {
    if (error instanceof CatalogueProblems) return fail(values.catalogue, error.problems);
    throw error;
  }
  // The core checks the compiled catalogue again, completely: what it refuses is never written,
  // so the Worker never starts with a catalogue its core would refuse.
  try {
    await instantiateCore(coreModule().module, compiled.text);
  } catch (error) {
    if (error instanceof CatalogueError) return fail(values.catalogue, [`${values.catalogue} (compiled): ${error.message}`]);
    throw error;
  }
  const wrote = writeIfChanged(values.out, `${JSON.stringify(compiled.doc, null, 1)}\n`);
  console.log(`phonehome build: ${compiled.products} product${compiled.products === 1 ? '' : 's'}, ${compiled.events} event${compiled.events === 1 ? '' : 's'}; ` +
    `catalogue SHA-256 ${compiled.sha256}; ${values.out} ${wrote ? 'written' : 'unchanged'}`);
  return 0;
}
