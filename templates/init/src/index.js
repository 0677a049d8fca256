// The collector: phonehome's Worker for the catalogue in catalogue/, which `phonehome build`
// (wrangler's [build] step) checks and compiles into build/catalogue.json.
import { createWorker } from 'phonehome';
import catalogue from '../build/catalogue.json';

export default createWorker({ catalogue });
