// index.js: this repository's own deployment, the reference one: the Worker for the catalogue in
// catalogue/, compiled by `phonehome build` (wrangler.toml's [build] step) into build/catalogue.json.
// A maintainer's project has the same three lines (`phonehome init` writes them).
import { createWorker } from './create.js';
import catalogue from '../build/catalogue.json';

export default createWorker({ catalogue });
