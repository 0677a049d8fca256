// compiled.mjs: a catalogue in its compiled form, whatever it was given as: a source folder
// (catalogue/presets.json + products/*.json, checked by catalogue.mjs), a compiled JSON file
// (what `phonehome build` writes), or the compiled document itself. The text handed to the core
// is JSON.stringify(doc), exactly as createWorker() hands it, so the SHA-256 here is the one the
// Worker publishes.
import { readFileSync, statSync } from 'node:fs';
import { loadCatalogue, publicCatalogue } from './catalogue.mjs';
import { sha256 } from './core.mjs';

// CatalogueProblems is a catalogue that cannot be used: `problems` are lines of the form
// "file: field: message".
export class CatalogueProblems extends Error {
  constructor(problems) {
    super(problems.join('\n'));
    this.name = 'CatalogueProblems';
    this.problems = problems;
  }
}

function compiledFrom(doc, label) {
  let text;
  try {
    text = JSON.stringify(doc);
  } catch (error) {
    // JSON.stringify recurses: a document nested past the stack is refused, not a crash.
    if (error instanceof RangeError) throw new CatalogueProblems([`${label}: nests objects and arrays too deeply`]);
    throw error;
  }
  const products = doc.products.length;
  const events = doc.products.reduce((n, p) => n + (Array.isArray(p?.events) ? p.events.length : 0), 0);
  return { doc, text, sha256: sha256(text), label, products, events };
}

// readCatalogue() returns { doc, text, sha256, label, products, events } or throws
// CatalogueProblems. A compiled document is only checked for its outer shape here: the core
// checks the rest when it loads it (loadIntoCore in validator.mjs, build.mjs).
export function readCatalogue(catalogue) {
  if (catalogue !== null && typeof catalogue === 'object') {
    if (!Array.isArray(catalogue.products)) throw new CatalogueProblems(['catalogue: products: must be an array (the compiled catalogue)']);
    return compiledFrom(catalogue, 'catalogue');
  }
  if (typeof catalogue !== 'string' || catalogue === '') {
    throw new TypeError('catalogue must be a source folder, a compiled catalogue file, or the compiled catalogue');
  }
  let stat;
  try {
    stat = statSync(catalogue);
  } catch (error) {
    throw new CatalogueProblems([`${catalogue}: cannot read: ${error.code ?? error.message}`]);
  }
  if (stat.isDirectory()) {
    const { products, problems } = loadCatalogue(catalogue);
    if (problems.length) throw new CatalogueProblems(problems);
    return compiledFrom(publicCatalogue(products), catalogue);
  }
  let doc;
  try {
    doc = JSON.parse(readFileSync(catalogue, 'utf8'));
  } catch (error) {
    throw new CatalogueProblems([`${catalogue}: not valid JSON: ${error instanceof RangeError ? 'nested too deeply' : error.message}`]);
  }
  if (!Array.isArray(doc?.products)) throw new CatalogueProblems([`${catalogue}: products: must be an array (a compiled catalogue, as phonehome build writes it)`]);
  return compiledFrom(doc, catalogue);
}
