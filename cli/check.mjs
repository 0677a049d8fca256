// check.mjs: `phonehome check`, for a catalogue's maintainer and for an SDK's CI.
import { readFileSync } from 'node:fs';
import { parseCommand, UsageError } from './args.mjs';
import { CatalogueProblems } from './compiled.mjs';
import { bodiesOf } from './payloads.mjs';
import { settings } from './settings.mjs';
import { createValidator } from './validator.mjs';
import { CatalogueError, CoreTrap } from '../worker/core.js';

export const usage = `usage: phonehome check [--catalogue DIR|FILE] [--product P [--event E]] [--json] [FILE…|-]

Checks the catalogue (a source folder, default ./catalogue, or a compiled catalogue file), then
runs each payload through the core the Worker runs and prints, per event, where it came from,
its verdict and the row that would be stored. Nothing is stored or sent anywhere.

A payload file is JSON or NDJSON (one request body a line); - reads standard input. A body is
one event, an array of events, or a batch envelope {"events": […]}. With --product (and --event,
else the product's default event) each body is posted as that event; without them, each event
names its own "product" and "event" and the body is sent as a batch.

  --catalogue DIR|FILE   the catalogue (default: catalogue)
  --product P, --event E post every body to /v1/P/E
  --json                 one JSON document on standard output, for machines

Exit status: 0 every event accepted (or a duplicate of one in the same body); 1 an event or a request rejected; 2 a usage or catalogue error.`;

const OPTIONS = {
  catalogue: { type: 'string', default: 'catalogue' },
  product: { type: 'string' },
  event: { type: 'string' },
  json: { type: 'boolean', default: false },
};

function readPayloads(files) {
  const bodies = [];
  for (const file of files) {
    let bytes;
    try {
      bytes = file === '-' ? readFileSync(0) : readFileSync(file);
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${error.code ?? error.message}`, { showUsage: false });
    }
    const name = file === '-' ? '<stdin>' : file;
    const found = bodiesOf(name, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
    if (found.length === 0) throw new UsageError(`${name} holds no payload`, { showUsage: false });
    bodies.push(...found);
  }
  return bodies;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// The core's answer to a batch event without its names, said for this tool's user.
function hint(verdict, routed) {
  if (routed || verdict.code !== 'missing_field' || (verdict.field !== 'product' && verdict.field !== 'event')) return '';
  return ' (name "product" and "event" in each event, or give --product and --event)';
}

function printReport(out, requests, routed) {
  for (const request of requests) {
    if (request.error) {
      out.push(`${request.source}: request rejected: ${request.error.code}: ${request.error.message}`);
      continue;
    }
    const several = request.events.length > 1;
    for (const verdict of request.events) {
      const where = several ? `${request.source} [${verdict.index}]` : request.source;
      const what = `${verdict.product ?? '?'}/${verdict.event ?? '?'}`;
      if (verdict.status === 'rejected') {
        out.push(`${where} ${what}: rejected: ${verdict.code}${verdict.field ? ` at ${verdict.field}` : ''}: ${verdict.message}${hint(verdict, routed)}`);
      } else {
        const notes = [];
        if (verdict.dropped) notes.push(`dropped undeclared ${verdict.dropped.join(', ')}`);
        if (verdict.unknown_values) notes.push(`stored as "other": ${verdict.unknown_values.join(', ')}`);
        out.push(`${where} ${what}: ${verdict.status}${notes.length ? ` (${notes.join('; ')})` : ''}`);
      }
      if (verdict.row) out.push(`  row ${JSON.stringify(verdict.row)}`);
    }
  }
}

export async function run(args) {
  const { values, positionals } = parseCommand(args, OPTIONS);
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (values.event && !values.product) throw new UsageError('--event needs --product');
  const bodies = readPayloads(positionals);

  let validator;
  try {
    validator = await createValidator({ catalogue: values.catalogue, maxBodyBytes: settings('wrangler.toml').maxBodyBytes });
  } catch (error) {
    if (!(error instanceof CatalogueProblems || error instanceof CatalogueError)) throw error;
    const problems = error instanceof CatalogueProblems ? error.problems : [`${values.catalogue}: ${error.message}`];
    if (values.json) {
      console.log(JSON.stringify({ ok: false, catalogue: { source: values.catalogue }, problems }, null, 1));
    } else {
      console.error(`phonehome check: the catalogue ${values.catalogue} has ${plural(problems.length, 'problem')}:`);
      for (const line of problems) console.error(line);
    }
    return 2;
  }

  const requests = [];
  for (const { source, bytes } of bodies) {
    let report;
    try {
      report = validator.check(bytes, { product: values.product, event: values.event });
    } catch (error) {
      if (error instanceof TypeError) throw new UsageError(error.message);
      // A trap is a bug of the core, never the payload's fault: say so, not with a stack.
      if (error instanceof CoreTrap || error instanceof WebAssembly.RuntimeError) {
        console.error(`phonehome check: ${source}: the core failed on this body (${error.message}); please report it`);
        return 2;
      }
      throw error;
    }
    requests.push({ source, ...report });
  }
  const events = requests.flatMap((r) => r.events);
  const summary = {
    requests: requests.length,
    requests_rejected: requests.filter((r) => r.error).length,
    events: events.length,
    accepted: events.filter((v) => v.status === 'accepted').length,
    // Another event of the same request with the same dedup key is stored: this one would not be.
    duplicate: events.filter((v) => v.status === 'duplicate').length,
    rejected: events.filter((v) => v.status === 'rejected').length,
  };
  const ok = summary.requests_rejected === 0 && summary.rejected === 0;
  const counts = validator.catalogue.products.reduce((n, p) => n + p.events.length, 0);
  const catalogue = { source: values.catalogue, sha256: validator.catalogueSha256, products: validator.catalogue.products.length, events: counts };

  if (values.json) {
    console.log(JSON.stringify({
      ok,
      catalogue,
      core_sha256: validator.moduleSha256,
      requests: requests.map(({ source, outcome, httpStatus, error, events: verdicts }) => ({
        source, outcome, http_status: httpStatus, ...(error ? { error } : {}), events: verdicts,
      })),
      summary,
    }, null, 1));
    return ok ? 0 : 1;
  }
  const out = [];
  printReport(out, requests, Boolean(values.product));
  const head = `phonehome check: catalogue ${catalogue.source}: ${plural(catalogue.products, 'product')}, ${plural(catalogue.events, 'event')}, SHA-256 ${catalogue.sha256}`;
  out.unshift(head);
  if (requests.length) {
    out.push(`phonehome check: ${plural(summary.events, 'event')} in ${plural(summary.requests, 'request')}: ${summary.accepted} accepted, ` +
      `${summary.duplicate ? `${summary.duplicate} duplicate, ` : ''}${summary.rejected} rejected` +
      `${summary.requests_rejected ? `; ${plural(summary.requests_rejected, 'request')} rejected whole` : ''}`);
  }
  console.log(out.join('\n'));
  return ok ? 0 : 1;
}
