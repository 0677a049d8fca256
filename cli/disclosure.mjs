// disclosure.mjs: `phonehome disclosure`, the Worker's disclosure page (GET /) for a catalogue,
// offline: what the users of the products will read, before anything is deployed.
import { pageCommand } from './pages.mjs';
import { disclosurePage } from '../worker/disclosure.js';

export const usage = `usage: phonehome disclosure [--catalogue DIR|FILE]

Prints the HTML page the Worker serves at / for the catalogue (default: catalogue), with the
settings of the [vars] in ./wrangler.toml, and the SHA-256 of the core and of the catalogue.
Exit status 2 when the catalogue has a problem.`;

export const run = pageCommand('disclosure', usage, (pages) => disclosurePage(pages.catalogue, pages.settings, pages.identity));
