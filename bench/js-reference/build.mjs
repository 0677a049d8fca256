// build.mjs: compiles one ajv validator per catalogue event into generated/validators.mjs.
//
// Workers forbid eval and new Function, so ajv cannot compile schemas at request time: its
// standalone mode writes the validators as plain ES module source here, at build time.
//   node bench/js-reference/build.mjs [catalogue.json]
// The catalogue is the public form the core's build writes (build/wasm/generated/catalogue.json).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

import { eventSchema } from './schema.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_CATALOGUE = join(here, '../../build/wasm/generated/catalogue.json');
export const VALIDATORS_FILE = join(here, 'generated/validators.mjs');

// Export names must be identifiers; product and event names may hold '-'.
const exportName = (id) => `validate_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;

// unicode: false makes maxLength compare .length (UTF-16 units). With the default, ajv's ESM
// output still require()s a helper that counts code points (ajv-validator/ajv#2209), which a
// Worker cannot load. UTF-16 units never outnumber UTF-8 bytes, the core's unit, so the bound
// stays on the safe side. ajv calls the option deprecated: that one warning is expected.
const logger = {
  log: console.log,
  warn: (message, ...rest) => String(message).includes('option unicode') || console.warn(message, ...rest),
  error: console.error,
};

function validatorSource(catalogue) {
  // messages: false leaves ajv's English out of the code: verdicts have messages of their own.
  const ajv = new Ajv({ code: { source: true, esm: true }, allowUnionTypes: true, messages: false, unicode: false, logger });
  const exports = {};
  for (const product of catalogue.products) {
    for (const event of product.events) {
      const schema = eventSchema(product, event);
      const name = exportName(schema.$id);
      if (name in exports) throw new Error(`${schema.$id} and ${exports[name]} share the export ${name}`);
      ajv.addSchema(schema);
      exports[name] = schema.$id;
    }
  }
  // One map from "product/event" to its validator, so the ingest path does a single lookup.
  const table = Object.entries(exports).map(([name, id]) => `  ${JSON.stringify(id)}: ${name},`);
  return `${standaloneCode(ajv, exports)}\nexport const validators = {\n${table.join('\n')}\n};\n`;
}

export function writeValidators(cataloguePath = DEFAULT_CATALOGUE) {
  const catalogue = JSON.parse(readFileSync(cataloguePath, 'utf8'));
  mkdirSync(dirname(VALIDATORS_FILE), { recursive: true });
  writeFileSync(VALIDATORS_FILE, validatorSource(catalogue));
  return VALIDATORS_FILE;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(`wrote ${writeValidators(process.argv[2])}`);
}
