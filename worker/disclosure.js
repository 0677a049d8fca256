// disclosure.js: GET / (the public page telling users exactly what is collected) and
// GET /v1/schema (the same as JSON, for SDK authors). Both derive from the compiled catalogue, so
// what is published and what is accepted cannot drift apart.

// What phonehome never keeps, whatever a product declares. Each line is enforced in code and
// tested (DESIGN.md, "Privacy rules").
export const NEVER_COLLECTED = [
  'IP addresses: the collector never reads the client address headers, stores the address a request came from, or logs one.',
  'Any field not declared below: undeclared fields are dropped before storage and only named back to the sender.',
  'Personal details and secrets in any stored text, not only in error messages and stack traces: file paths and home-folder user names, e-mail addresses, IP and MAC addresses, the names of personal machines, phone, card, bank account (IBAN) and US social security numbers, URL credentials and query strings, API keys, tokens, private keys and passwords are replaced by placeholders such as <path>, <email>, <ip> and <secret> before storage, in every form phonehome\'s scrubbing rules list (docs/SCRUBBING.md, with the forms they do not recognise). Fields stored exactly as sent (versions, model names, map keys, ids) are refused when they hold one of these forms.',
  'Cookies or browser fingerprints: the collector sets no cookie and reads no user agent.',
];

// What the version check and client reports record, for the page and /v1/schema: counts only.
export const CHECKS_RECORD = [
  'A version check (GET /v1/{product}/check) is answered with the latest release, the advisories for the version asked about and the tool\'s settings. It records one count per day, product, version and CI name, and nothing else: no identifier, no address. The version is kept as its release numbers, with a pre-release label only when it is a release word (alpha, beta, rc, dev, pre, preview, next, canary, nightly) or a number; anything else in it is dropped. The CI name is one of a fixed list of CI services, or nothing.',
  'A client report (POST /v1/{product}/client_report) records how many events the tool dropped itself, as counts per day, product, version (kept the same way) and reason (offline, queue_full, sampled, opted_out, rejected), and nothing else.',
];

// VERIFY says how anyone can check which code validates their data with the two hashes below.
const VERIFY = 'core_sha256 is the SHA-256 of the WebAssembly core (dist/phonehome.wasm of the phonehome npm package, '
  + 'rebuilt byte for byte from its source by scripts/build-wasm); catalogue_sha256 is the SHA-256 of the compiled catalogue '
  + 'the core loaded, which `npx phonehome build` prints for the catalogue files it was compiled from.';

// identity = { moduleSha256, catalogueSha256 }: which code checks which rules.
export function schemaDocument(catalogue, coreLimits, settings, identity) {
  return {
    wire_version: 1,
    code: { core_sha256: identity.moduleSha256, catalogue_sha256: identity.catalogueSha256, verify: VERIFY },
    ingest: {
      event: 'POST /v1/{product}/{event} with one JSON object or an array of them',
      batch: 'POST /v1/batch with {"sent_at": …, "events": [{"product": …, "event": …, …fields}]}',
      forget: 'POST /v1/forget with {"install_id": …}',
      check: 'GET /v1/{product}/check?version=…[&ci=…]',
      client_report: 'POST /v1/{product}/client_report with {"version": …, "dropped": {"offline": n, …}}',
      protocol: 'docs/PROTOCOL.md in the phonehome repository',
    },
    limits: { max_body_bytes: settings.maxBodyBytes, ...coreLimits },
    retention_days: settings.retentionDays,
    opt_out: {
      client: 'SDKs honour DO_NOT_TRACK=1 and the product switches listed per product',
    },
    never_collected: NEVER_COLLECTED,
    checks_and_client_reports: CHECKS_RECORD,
    products: catalogue.products,
  };
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// describeKind() says in words what a field holds and its bounds.
function describeKind(field) {
  switch (field.kind) {
    case 'string':
      // Kept as sent under a pattern or in a column (and refused when it holds a secret); else scrubbed.
      if (field.pattern) return `text of the form ${field.pattern}, at most ${field.max_length} bytes`;
      return field.column ? `text, at most ${field.max_length} bytes, refused if it holds an address or a secret` : `text, scrubbed, at most ${field.max_length} bytes`;
    case 'text': return `free text, scrubbed, at most ${field.max_length} bytes`;
    case 'enum': return `one of: ${field.values.join(', ')}${field.unknown === 'other' ? ' (anything else is stored as "other")' : ''}`;
    case 'bool': return 'true or false';
    case 'integer': return `whole number, ${field.min} to ${field.max}`;
    case 'number': return `number, ${field.min} to ${field.max}`;
    case 'uuid': return 'random UUID';
    case 'version': return field.precision ? `version, kept to ${field.precision} part${field.precision > 1 ? 's' : ''}` : 'version';
    case 'timestamp': return 'time';
    case 'model': return `model id, kept only for: ${field.allowed_owners.join(', ')}`;
    case 'list': return `list of up to ${field.max_items} ${field.items.kind === 'enum' ? `of: ${field.items.values.join(', ')}` : 'texts, scrubbed'}`;
    case 'map': return `counts by name, up to ${field.max_keys} names`;
    case 'object': return 'group of the fields below';
    default: return field.kind;
  }
}

function fieldRows(product, event, fields, prefix = '') {
  return fields.map((field) => {
    const path = `${prefix}${field.name}`;
    const id = `field-${product.product}-${event.name}-${path}`;
    const own = `<tr id="${escapeHtml(id)}"><td><code>${escapeHtml(path)}</code>${field.required ? '' : ' <small>(optional)</small>'}</td>` +
      `<td>${escapeHtml(describeKind(field))}</td><td>${escapeHtml(field.description)}</td></tr>`;
    return own + (field.kind === 'object' ? fieldRows(product, event, field.fields, `${path}.`) : '');
  }).join('\n');
}

function dedupSentence(event) {
  if (event.dedup === 'none') return 'Each event is stored as sent.';
  const fields = event.dedup.fields.map((f) => `<code>${escapeHtml(f)}</code>`).join(' and ');
  return `A retried event is stored once: events are told apart by ${fields}${event.dedup.per_day ? ' and the day' : ''}.`;
}

export function disclosurePage(catalogue, settings, identity) {
  const days = settings.retentionDays;
  const products = catalogue.products.map((product) => `
<section id="product-${escapeHtml(product.product)}">
<h2>${escapeHtml(product.title)} <small>(<code>${escapeHtml(product.product)}</code>)</small></h2>
<p>${escapeHtml(product.description)}</p>
<h3>How to opt out</h3>
<ul>
<li>Set <code>DO_NOT_TRACK=1</code> in the environment.</li>
${product.opt_out.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}
</ul>
${product.events.map((event) => `
<h3 id="event-${escapeHtml(product.product)}-${escapeHtml(event.name)}">Event <code>${escapeHtml(event.name)}</code></h3>
<p>${escapeHtml(event.description)} ${dedupSentence(event)}</p>
<table>
<thead><tr><th>Field</th><th>Holds</th><th>Why</th></tr></thead>
<tbody>
${fieldRows(product, event, event.fields)}
</tbody>
</table>`).join('\n')}
</section>`).join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>What this telemetry collector keeps</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 1rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5rem; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; padding: .4rem .5rem; }
code { background: #f3f3f3; padding: 0 .2rem; }
@media (max-width: 40rem) { td, th { display: block; border: 0; padding: .1rem 0; } tr { display: block; border-bottom: 1px solid #ddd; padding: .4rem 0; } }
</style>
</head>
<body>
<h1>What this telemetry collector keeps</h1>
<p>This server receives anonymous usage events from the tools listed below. It keeps only the fields
listed here, and deletes each event <strong>${days} days</strong> after it arrives. The same list, machine-readable, is at <a href="/v1/schema"><code>/v1/schema</code></a>.</p>
<h2>Never collected</h2>
<ul>
${NEVER_COLLECTED.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}
</ul>
<h2>Your choices</h2>
<ul>
<li>Every tool below stops sending when <code>DO_NOT_TRACK=1</code> is set, and has switches of its own, listed with it.</li>
${settings.honourDoNotTrack ? '<li>Requests that carry <code>DNT: 1</code> or <code>Sec-GPC: 1</code> are answered and thrown away unread.</li>' : ''}
<li>To delete everything stored about a machine, send its install id (the random id the tool keeps): <code>POST /v1/forget</code> with <code>{"install_id": "…"}</code>.</li>
</ul>
<h2>Version checks and drop reports</h2>
<ul>
${CHECKS_RECORD.map((line) => `<li>${escapeHtml(line)}</li>`).join('\n')}
</ul>
${products}
<h2>Which code checks your data</h2>
<p>Every event is checked and cleaned by phonehome's WebAssembly core against the catalogue above, before anything is stored.</p>
<ul>
<li>Core: SHA-256 <code>${escapeHtml(identity.moduleSha256)}</code></li>
<li>Catalogue: SHA-256 <code>${escapeHtml(identity.catalogueSha256)}</code></li>
</ul>
<p><small>${escapeHtml(VERIFY)}</small></p>
</body>
</html>
`;
}
