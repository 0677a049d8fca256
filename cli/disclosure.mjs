// disclosure.mjs: `phonehome disclosure`, the Worker's disclosure page (GET /) for a catalogue,
// offline: what the users of the products will read, before anything is deployed.
import { parseCommand } from './args.mjs';
import { loadForPages } from './pages.mjs';
import { disclosurePage } from '../worker/disclosure.js';

export const usage = `usage: phonehome disclosure [--catalogue DIR|FILE]

Prints the HTML page the Worker serves at / for the catalogue (default: catalogue), with the
settings of the [vars] in ./wrangler.toml, and the SHA-256 of the core and of the catalogue.
Exit status 2 when the catalogue has a problem.`;

export async function run(args) {
  const { values } = parseCommand(args, { catalogue: { type: 'string', default: 'catalogue' } }, { positionals: false });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const pages = await loadForPages('disclosure', values.catalogue);
  if (!pages) return 2;
  process.stdout.write(disclosurePage(pages.catalogue, pages.settings, pages.identity));
  return 0;
}
