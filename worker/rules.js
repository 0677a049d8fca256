// rules.js: what each rejection code of an event means in terms of its catalogue: the fields whose
// rule the code stands for, and what each expects. Read from the catalogue alone; rejected events
// are counted without their data (rejections_daily holds no field name), so a code is explained
// by every field of the event it can come from.

import { coreDescription } from './core.js';

// Which fields a code can come from (tests/worker/stats-fields.test.mjs checks that each is an event
// code of status.def).
export const APPLIES = {
  missing_field: (f) => f.required,
  wrong_type: () => true,
  too_long: (f) => f.max_length !== undefined,
  empty_value: (f) => f.required && ['string', 'text', 'model'].includes(f.kind),
  out_of_range: (f) => ['integer', 'number', 'timestamp'].includes(f.kind) || f.values?.min !== undefined,
  invalid_uuid: (f) => f.kind === 'uuid',
  invalid_enum: (f) => f.kind === 'enum' || f.items?.kind === 'enum',
  invalid_version: (f) => f.kind === 'version',
  invalid_timestamp: (f) => f.kind === 'timestamp',
  invalid_key: (f) => f.kind === 'map',
  too_many_items: (f) => f.kind === 'list' || f.kind === 'map',
  sensitive_value: (f) => f.column !== undefined || f.pattern !== undefined || ['version', 'map', 'model'].includes(f.kind),
  pattern_mismatch: (f) => f.pattern !== undefined || f.items?.pattern !== undefined,
};

// meanings() is what each event-level code means: status.def's words, read from the core's
// description (core.js), which the Worker has made before it answers anything.
let meaningsOf = null;
let meaningsTable = null;
export function meanings(description = coreDescription()) {
  if (meaningsOf !== description) {
    meaningsTable = Object.fromEntries(description.statuses.filter((s) => s.scope === 'event').map((s) => [s.name, s.meaning]));
    meaningsOf = description;
  }
  return meaningsTable;
}

// expects() says in a few words what a field accepts.
export function expects(f) {
  const parts = [];
  switch (f.kind) {
    case 'enum': parts.push(`one of ${f.values.join(', ')}${f.unknown === 'other' ? ' (others kept as "other")' : ''}`); break;
    case 'integer': case 'number': parts.push(`${f.kind === 'integer' ? 'a whole number' : 'a number'} from ${f.min} to ${f.max}`); break;
    case 'bool': parts.push('true or false'); break;
    case 'uuid': parts.push('a UUID'); break;
    case 'version': parts.push(`a version${f.precision ? ` (kept to ${f.precision} parts)` : ''}`); break;
    case 'timestamp': parts.push('epoch seconds, epoch milliseconds or RFC 3339'); break;
    case 'model': parts.push(`a model owner/name of ${f.allowed_owners.join(', ')}`); break;
    case 'list': parts.push(`a list of at most ${f.max_items} ${f.items.kind === 'enum' ? `of ${f.items.values.join(', ')}` : 'strings'}`); break;
    case 'map': parts.push(`an object of at most ${f.max_keys} keys matching ${f.key_pattern}, ${f.values.kind} values from ${f.values.min} to ${f.values.max}`); break;
    case 'object': parts.push('an object'); break;
    default: parts.push(f.kind === 'text' ? 'text' : 'a string');
  }
  if (f.max_length !== undefined && f.kind !== 'model') parts.push(`at most ${f.max_length} characters`);
  if (f.pattern) parts.push(`matching ${f.pattern}`);
  if (f.column) parts.push(`kept as sent (column ${f.column}): no address, secret or path`);
  if (f.required) parts.push('required');
  return parts.join(', ');
}

function walk(fields, prefix, out) {
  for (const f of fields) {
    out.push({ path: `${prefix}${f.name}`, field: f });
    if (f.kind === 'object') walk(f.fields ?? [], `${prefix}${f.name}.`, out);
  }
  return out;
}

// rejectionRules() is, for each (event, code) of `rows`, { meaning, fields: [{ field, expects,
// link }], link }: links go to the event and the field on the disclosure page (GET /).
export function rejectionRules(product, rows) {
  const meaning = meanings();
  const rules = {};
  for (const { event, code } of rows) {
    rules[event] ??= {};
    if (rules[event][code]) continue;
    const declared = product.events.find((e) => e.name === event);
    const applies = APPLIES[code];
    const fields = declared && applies ? walk(declared.fields, '', []).filter(({ field }) => applies(field)) : [];
    rules[event][code] = {
      meaning: meaning[code] ?? code,
      fields: fields.map(({ path, field }) => ({ field: path, expects: expects(field), link: `/#field-${product.product}-${event}-${path}` })),
      link: `/#event-${product.product}-${event}`,
    };
  }
  return rules;
}
