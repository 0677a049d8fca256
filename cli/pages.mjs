// pages.mjs: what the offline pages need, as the Worker has it: the catalogue the core accepted,
// the core's limits, the settings from ./wrangler.toml, and the two SHA-256.
import { parseCommand } from './args.mjs';
import { CatalogueProblems, createValidator } from './validator.mjs';
import { settings } from './settings.mjs';
import { CatalogueError } from '../worker/core.js';

// loadForPages() returns { catalogue, limits, settings, identity }, or null after printing the
// catalogue's problems.
export async function loadForPages(command, catalogue) {
  let validator;
  try {
    validator = await createValidator({ catalogue });
  } catch (error) {
    if (!(error instanceof CatalogueProblems || error instanceof CatalogueError)) throw error;
    const problems = error instanceof CatalogueProblems ? error.problems : [`${catalogue}: ${error.message}`];
    console.error(`phonehome ${command}: the catalogue ${catalogue} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:`);
    for (const line of problems) console.error(line);
    return null;
  }
  return {
    catalogue: validator.catalogue,
    limits: validator.limits,
    settings: settings('wrangler.toml'),
    identity: { moduleSha256: validator.moduleSha256, catalogueSha256: validator.catalogueSha256 },
  };
}

// pageCommand() is the `run` of an offline page command (schema, disclosure): read the catalogue as
// the Worker would, then print render(pages). Exit status 2 when the catalogue has a problem.
export function pageCommand(command, usage, render) {
  return async function run(args) {
    const { values } = parseCommand(args, { catalogue: { type: 'string', default: 'catalogue' } }, { positionals: false });
    if (values.help) {
      console.log(usage);
      return 0;
    }
    const pages = await loadForPages(command, values.catalogue);
    if (!pages) return 2;
    process.stdout.write(render(pages));
    return 0;
  };
}
