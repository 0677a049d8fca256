// schema.mjs: `phonehome schema`, the Worker's /v1/schema for a catalogue, offline.
import { pageCommand } from './pages.mjs';
import { schemaDocument } from '../worker/disclosure.js';

export const usage = `usage: phonehome schema [--catalogue DIR|FILE]

Prints the JSON the Worker serves at /v1/schema for the catalogue (default: catalogue), with the
settings of the [vars] in ./wrangler.toml, and the SHA-256 of the core and of the catalogue.
Exit status 2 when the catalogue has a problem.`;

export const run = pageCommand('schema', usage,
  (pages) => `${JSON.stringify(schemaDocument(pages.catalogue, pages.limits, pages.settings, pages.identity), null, 1)}\n`);
