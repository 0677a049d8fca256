// catalogue.mjs: reads and checks the event catalogue (catalogue/), and compiles it into the
// public JSON document (publicCatalogue()) that the core loads at start (ph_load_catalogue, which
// checks it again), the Worker serves as /v1/schema and renders as the disclosure page. Every error
// names the file and the field, so a malformed catalogue fails the build with a message a
// maintainer can act on.

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export const KINDS = [
  'string', 'text', 'enum', 'bool', 'integer', 'number', 'uuid', 'version', 'timestamp', 'model',
  'list', 'map', 'object',
];

// The row columns a field may feed, and the kinds that may feed each.
export const COLUMN_KINDS = {
  install_id: ['uuid', 'string'],
  session_id: ['uuid', 'string'],
  version: ['version', 'string'],
  os: ['enum', 'string'],
  arch: ['enum', 'string'],
  runtime: ['enum', 'string'],
  runtime_version: ['version', 'string'],
  occurred_at: ['timestamp'],
  // Whether the event came from CI: an enum (normally "preset": "ci") stores its canonical value,
  // a bool "unknown" (true) or "none" (false).
  ci: ['enum', 'bool'],
};
const FIXABLE_COLUMNS = ['os', 'arch', 'runtime', 'runtime_version'];

const COMMON_KEYS = ['name', 'aliases', 'kind', 'required', 'column', 'description', 'stats'];

// A field's role in the daily rollups (docs/INSIGHTS.md, "The catalogue's fields"): a dimension
// (a breakdown, for enum and bool fields: bounded values), a measure (p50/p90/p99 of a non-negative
// integer or number: durations, counts, sizes), top (the most frequent values per version of a
// string or model field with bounded, non-free text), or none. Enum and bool fields that feed no
// column are dimensions unless they say otherwise (the column dimensions are built in); every
// other field is none. The limits per product bound what a rollup statement multiplies.
export const STATS_ROLES = {
  dimension: ['enum', 'bool'],
  measure: ['integer', 'number'],
  top: ['string', 'model'],
  none: KINDS,
};
export const BUILTIN_DIMENSIONS = ['version', 'os', 'arch', 'runtime', 'runtime_version'];
export const STATS_LIMITS = { dimension: 16, measure: 12, top: 6 };
const KIND_KEYS = {
  string: ['max_length', 'on_too_long', 'pattern'],
  text: ['max_length'],
  enum: ['values', 'preset', 'value_aliases', 'unknown'],
  bool: [],
  integer: ['min', 'max'],
  number: ['min', 'max'],
  uuid: [],
  version: ['precision', 'full_property'],
  timestamp: [],
  model: ['max_length', 'allowed_owners'],
  list: ['items', 'max_items'],
  map: ['values', 'max_keys', 'key_pattern'],
  object: ['fields'],
};
const ITEM_KINDS = { list: ['string', 'enum'], map: ['integer', 'number'] };
const SCALAR_KINDS = ['string', 'enum', 'bool', 'integer', 'number', 'uuid', 'version', 'timestamp', 'model'];

const PRODUCT_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const EVENT_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const FIELD_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const MAX_FIELDS_PER_EVENT = 256;
// Event names that are routes of every product: /v1/{product}/check and /v1/{product}/client_report.
const RESERVED_EVENT_NAMES = ['check', 'client_report'];
// A min_version as the catalogue may write it: 1 to 3 numeric parts and at most a pre-release from
// the usual list. Stricter than the core, which takes any version its version kind reads, because
// the core also refuses versions that could carry something personal (scrub::UnsafeAsSent), which
// this checker cannot tell: what passes here always loads there.
const MIN_VERSION = /^v?\d{1,6}(\.\d{1,6}){0,2}(-(alpha|beta|rc|dev|pre|preview|next|canary|nightly)(\.?\d{1,4})?)?$/;
const SETTING_KEYS = ['enabled', 'sample_rate', 'min_version'];
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
// Stored values a catalogue declares (enum values and their spellings, fixed columns) are printable:
// no control characters (C0, DEL, C1) and no bidirectional overrides, which would change how a
// value reads on the dashboard and the disclosure page.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// Problems collects errors as "file: path: message".
class Problems {
  constructor() { this.list = []; }
  add(file, path, message) { this.list.push(`${file}: ${path ? `${path}: ` : ''}${message}`); }
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readJson(file, problems) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    problems.add(file, '', `cannot read: ${error.message}`);
    return undefined;
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.add(file, '', `not valid JSON: ${error.message}`);
    return undefined;
  }
}

// A checker bound to one file and one path prefix.
function at(problems, file, path) {
  const fail = (message, where = path) => problems.add(file, where, message);
  return {
    fail,
    string(value, key, { required = true, max = 1000, pattern } = {}) {
      const where = `${path}.${key}`;
      if (value === undefined) {
        if (required) fail(`${key} is required`, where);
        return undefined;
      }
      if (typeof value !== 'string' || value.trim() === '') return fail(`${key} must be a non-empty string`, where);
      if (value.length > max) return fail(`${key} must be at most ${max} characters`, where);
      if (pattern && !pattern.test(value)) return fail(`${key} "${value}" must match ${pattern}`, where);
      return value;
    },
    number(value, key, { required = true, integer = false, min = -Infinity, max = Infinity } = {}) {
      const where = `${path}.${key}`;
      if (value === undefined) {
        if (required) fail(`${key} is required`, where);
        return undefined;
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail(`${key} must be a finite number`, where);
      if (integer && !Number.isInteger(value)) return fail(`${key} must be a whole number`, where);
      if (value < min || value > max) return fail(`${key} must be between ${min} and ${max}`, where);
      return value;
    },
    keys(object, allowed) {
      for (const key of Object.keys(object)) {
        if (!allowed.includes(key)) fail(`unknown key "${key}" (allowed here: ${allowed.join(', ')})`, `${path}.${key}`);
      }
    },
  };
}

// parseKeyPattern() accepts exactly `^[class]{min,max}$` with an ASCII class of single characters
// and ranges, and compiles it to a 256-bit set: the core checks map keys without a regex engine.
export function parseKeyPattern(source) {
  const m = /^\^\[((?:\\.|[^\]\\])+)\]\{(\d+),(\d+)\}\$$/.exec(source);
  if (!m) return { error: 'must have the form ^[class]{min,max}$, e.g. ^[A-Za-z0-9_.-]{1,64}$' };
  // What a regex would read otherwise: a negated class, or a class escape such as \d or \s.
  if (m[1].startsWith('^')) return { error: 'a negated class ([^…]) is not supported: list the characters allowed' };
  for (let i = 0; i < m[1].length; i++) {
    if (m[1][i] !== '\\') continue;
    const escaped = m[1][++i];
    if (/[A-Za-z0-9]/.test(escaped)) return { error: `unsupported escape \\${escaped}: write the characters out, e.g. a-z0-9` };
  }
  const min = Number(m[2]);
  const max = Number(m[3]);
  if (min < 1 || max < min || max > 256) return { error: 'needs 1 <= min <= max <= 256' };
  const chars = [];
  for (let i = 0; i < m[1].length; i++) {
    if (m[1][i] === '\\') chars.push(m[1][++i]);
    else chars.push(m[1][i]);
  }
  const allowed = new Array(256).fill(false);
  for (let i = 0; i < chars.length; i++) {
    const from = chars[i].charCodeAt(0);
    const isRange = chars[i + 1] === '-' && i + 2 < chars.length;
    const to = isRange ? chars[i + 2].charCodeAt(0) : from;
    if (from > 126 || to > 126 || from < 33 || to < from) return { error: `bad character or range at "${chars[i]}"` };
    for (let c = from; c <= to; c++) allowed[c] = true;
    if (isRange) i += 2;
  }
  return { source, min, max, allowed };
}

// checkPattern() reads a pattern option (a map's key_pattern, a string's pattern); undefined when
// it is absent and optional.
function checkPattern(source, check, where, required) {
  if (source === undefined && !required) return undefined;
  const pattern = typeof source === 'string' ? parseKeyPattern(source) : { error: required ? 'is required' : 'must be a string' };
  if (pattern.error) {
    check.fail(`${where.split('.').pop()} ${pattern.error}`, where);
    return undefined;
  }
  return pattern;
}

function checkEnum(spec, check, presets, where) {
  const fromPreset = spec.preset !== undefined ? presets[spec.preset] : undefined;
  if (spec.preset !== undefined && !fromPreset) {
    check.fail(`unknown preset "${spec.preset}" (presets: ${Object.keys(presets).join(', ')})`, `${where}.preset`);
    return undefined;
  }
  if (spec.preset !== undefined && spec.values !== undefined) {
    check.fail('give values or a preset, not both', `${where}.values`);
    return undefined;
  }
  const values = fromPreset ? fromPreset.values : spec.values;
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v.trim() === '' || v.length > 64 || UNPRINTABLE.test(v))) {
    check.fail('values must be a non-empty list of printable strings of at most 64 characters', `${where}.values`);
    return undefined;
  }
  const lower = values.map((v) => v.toLowerCase());
  if (new Set(lower).size !== lower.length) check.fail('values repeat (ignoring case)', `${where}.values`);
  const aliases = [];
  const addAliases = (map, source) => {
    if (map === undefined) return;
    if (!isObject(map)) return check.fail('must map spellings to values', source);
    for (const [spelling, value] of Object.entries(map)) {
      const index = values.indexOf(value);
      if (index < 0) check.fail(`alias "${spelling}" names "${value}", which is not one of the values`, source);
      else if (spelling.trim() === '' || UNPRINTABLE.test(spelling)) check.fail(`alias "${spelling}" must be printable`, source);
      else if (lower.includes(spelling.toLowerCase())) check.fail(`alias "${spelling}" is already a value`, source);
      else aliases.push([spelling.toLowerCase(), index]);
    }
  };
  addAliases(fromPreset?.aliases, `presets.${spec.preset}.aliases`);
  addAliases(spec.value_aliases, `${where}.value_aliases`);
  const unknown = spec.unknown ?? 'reject';
  if (!['reject', 'other'].includes(unknown)) check.fail('unknown must be "reject" or "other"', `${where}.unknown`);
  return { values, aliases, unknown, preset: spec.preset };
}

// statsRole() is a field's role (STATS_ROLES), explicit or by default; `path` is its dotted name.
function statsRole(raw, kind, c, label, path) {
  const explicit = raw.stats;
  const where = `${label}.stats`;
  if (explicit !== undefined && !Object.hasOwn(STATS_ROLES, explicit)) {
    c.fail(`stats "${explicit}" is not one of: ${Object.keys(STATS_ROLES).join(', ')}`, where);
    return 'none';
  }
  if (explicit !== undefined && !STATS_ROLES[explicit].includes(kind)) {
    c.fail(`stats "${explicit}" takes a field of kind ${STATS_ROLES[explicit].join(' or ')}`, where);
    return 'none';
  }
  if (explicit !== undefined && explicit !== 'none') {
    if (raw.column !== undefined) c.fail(`a field that feeds column ${raw.column} is charted as that column already: leave out stats`, where);
    else if (BUILTIN_DIMENSIONS.includes(path) || path === 'all') c.fail(`"${path}" is the name of a built-in dimension: rename the field or set stats to none`, where);
    if (explicit === 'measure' && !(raw.min >= 0)) c.fail('a measure is a non-negative quantity: its min must be 0 or more', where);
    // Top values are kept for ROLLUP_RETENTION_DAYS and shown by name: identifiers only (class
    // names, hashes), which a pattern guarantees; never free text, names people choose or messages.
    if (explicit === 'top' && kind === 'string' && raw.pattern === undefined) c.fail('a top string field needs a pattern (^[class]{min,max}$): its values must be identifiers, never free text', where);
    return explicit;
  }
  if (explicit === 'none') return 'none';
  const byDefault = STATS_ROLES.dimension.includes(kind) && raw.column === undefined && !BUILTIN_DIMENSIONS.includes(path) && path !== 'all';
  return byDefault ? 'dimension' : 'none';
}

// checkFields() checks one object's field list (the event's, or a nested object's).
function checkFields(list, ctx, path, topLevel) {
  const { problems, file, presets } = ctx;
  const check = at(problems, file, path);
  if (!Array.isArray(list) || list.length === 0) {
    check.fail('fields must be a non-empty list');
    return [];
  }
  const seenKeys = new Map();
  const fields = [];
  list.forEach((raw, i) => {
    const where = `${path}[${i}]`;
    const f = at(problems, file, where);
    if (!isObject(raw)) return f.fail('a field must be an object');
    const name = f.string(raw.name, 'name', { pattern: FIELD_NAME, max: 64 });
    const label = name ? `${path}[${i}] (${name})` : where;
    const c = at(problems, file, label);
    const kind = raw.kind;
    if (!KINDS.includes(kind)) {
      c.fail(`kind "${kind}" is not one of: ${KINDS.join(', ')}`, `${label}.kind`);
      return;
    }
    c.keys(raw, [...COMMON_KEYS, ...KIND_KEYS[kind]]);
    c.string(raw.description, 'description', { max: 500 });
    const aliases = raw.aliases ?? [];
    if (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || a === '' || a.length > 64)) {
      c.fail('aliases must be a list of non-empty strings', `${label}.aliases`);
    }
    for (const key of [name, ...(Array.isArray(aliases) ? aliases : [])]) {
      if (key === undefined) continue;
      if (seenKeys.has(key)) c.fail(`input key "${key}" is also accepted by field ${seenKeys.get(key)}`, `${label}.aliases`);
      seenKeys.set(key, name);
    }
    if (raw.required !== undefined && typeof raw.required !== 'boolean') c.fail('required must be true or false', `${label}.required`);
    const field = {
      name, aliases: Array.isArray(aliases) ? aliases : [], kind, required: raw.required === true,
      column: raw.column ?? null, description: raw.description,
    };
    field.stats = statsRole(raw, kind, c, label, ctx.prefix ? `${ctx.prefix}${name}` : name);
    if (raw.column !== undefined) {
      if (!topLevel) c.fail('only top-level fields can feed a column', `${label}.column`);
      else if (!COLUMN_KINDS[raw.column]) c.fail(`column "${raw.column}" is not one of: ${Object.keys(COLUMN_KINDS).join(', ')}`, `${label}.column`);
      else if (!COLUMN_KINDS[raw.column].includes(kind)) c.fail(`column ${raw.column} takes a field of kind ${COLUMN_KINDS[raw.column].join(' or ')}`, `${label}.column`);
    }
    switch (kind) {
      case 'string':
        field.max_length = c.number(raw.max_length, 'max_length', { integer: true, min: 1, max: 65536 });
        field.truncate = raw.on_too_long === 'truncate';
        if (raw.on_too_long !== undefined && !['reject', 'truncate'].includes(raw.on_too_long)) {
          c.fail('on_too_long must be "reject" or "truncate"', `${label}.on_too_long`);
        }
        field.pattern = checkPattern(raw.pattern, c, `${label}.pattern`, false);
        break;
      case 'text':
        field.max_length = c.number(raw.max_length, 'max_length', { integer: true, min: 1, max: 65536 });
        break;
      case 'enum':
        field.enum = checkEnum(raw, c, presets, label);
        break;
      case 'integer':
      case 'number': {
        const integer = kind === 'integer';
        const limit = integer ? MAX_SAFE : Number.MAX_VALUE;
        field.min = c.number(raw.min, 'min', { integer, min: -limit, max: limit });
        field.max = c.number(raw.max, 'max', { integer, min: -limit, max: limit });
        if (field.min !== undefined && field.max !== undefined && field.min > field.max) c.fail('min is greater than max', `${label}.min`);
        break;
      }
      case 'version':
        field.precision = c.number(raw.precision, 'precision', { required: false, integer: true, min: 1, max: 4 }) ?? 0;
        field.full_property = c.string(raw.full_property, 'full_property', { required: false, pattern: FIELD_NAME, max: 64 }) ?? '';
        if (field.full_property && !field.precision) c.fail('full_property only makes sense with a precision', `${label}.full_property`);
        break;
      case 'model': {
        field.max_length = c.number(raw.max_length, 'max_length', { integer: true, min: 1, max: 1024 });
        const owners = raw.allowed_owners;
        if (!Array.isArray(owners) || owners.length === 0 || owners.some((o) => typeof o !== 'string' || !/^[A-Za-z0-9_.-]{1,96}$/.test(o))) {
          c.fail('allowed_owners must be a non-empty list of organisation names', `${label}.allowed_owners`);
        }
        field.allowed_owners = Array.isArray(owners) ? owners : [];
        break;
      }
      case 'list':
      case 'map': {
        const itemsKey = kind === 'list' ? 'items' : 'values';
        const item = raw[itemsKey];
        const itemWhere = `${label}.${itemsKey}`;
        field.max_items = c.number(raw[kind === 'list' ? 'max_items' : 'max_keys'], kind === 'list' ? 'max_items' : 'max_keys',
          { integer: true, min: 1, max: 1000 });
        if (!isObject(item) || !ITEM_KINDS[kind].includes(item.kind)) {
          c.fail(`${itemsKey} must be an object whose kind is ${ITEM_KINDS[kind].join(' or ')}`, itemWhere);
          break;
        }
        const ic = at(problems, file, itemWhere);
        field.item_kind = item.kind;
        if (item.kind === 'string') {
          ic.keys(item, ['kind', 'max_length', 'pattern']);
          field.max_length = ic.number(item.max_length, 'max_length', { integer: true, min: 1, max: 4096 });
          field.pattern = checkPattern(item.pattern, ic, `${itemWhere}.pattern`, false);
        } else if (item.kind === 'enum') {
          ic.keys(item, ['kind', 'values', 'preset', 'value_aliases', 'unknown']);
          field.enum = checkEnum(item, ic, presets, itemWhere);
          field.max_length = 64;
        } else {
          ic.keys(item, ['kind', 'min', 'max']);
          const integer = item.kind === 'integer';
          const limit = integer ? MAX_SAFE : Number.MAX_VALUE;
          field.min = ic.number(item.min, 'min', { integer, min: -limit, max: limit });
          field.max = ic.number(item.max, 'max', { integer, min: -limit, max: limit });
          if (field.min !== undefined && field.max !== undefined && field.min > field.max) ic.fail('min is greater than max', `${itemWhere}.min`);
        }
        if (kind === 'map') field.pattern = checkPattern(raw.key_pattern, c, `${label}.key_pattern`, true);
        break;
      }
      case 'object':
        field.fields = checkFields(raw.fields, { ...ctx, prefix: `${ctx.prefix ?? ''}${name}.` }, `${label}.fields`, false);
        break;
      default:
        break;
    }
    fields.push(field);
  });
  return fields;
}

function countFields(fields) {
  return fields.reduce((n, f) => n + 1 + (f.fields ? countFields(f.fields) : 0), 0);
}

// checkSettings() checks a product's or an event's remote settings (docs/PROTOCOL.md, "Verdicts")
// and returns those it sets. null sets nothing, as in the core (the Worker's overlay may write it).
function checkSettings(raw, c, prefix) {
  const out = {};
  const where = (key) => (prefix ? `${prefix}.${key}` : key);
  if (raw.enabled != null) {
    if (typeof raw.enabled !== 'boolean') c.fail('enabled must be true or false', where('enabled'));
    else out.enabled = raw.enabled;
  }
  if (raw.sample_rate != null) {
    // At least one in a thousand, as the core: a kept event counts 1/rate times.
    if (typeof raw.sample_rate !== 'number' || !(raw.sample_rate >= 0.001 && raw.sample_rate <= 1)) {
      c.fail('sample_rate must be a number from 0.001 to 1', where('sample_rate'));
    } else out.sample_rate = raw.sample_rate;
  }
  if (raw.min_version != null) {
    if (typeof raw.min_version !== 'string' || !MIN_VERSION.test(raw.min_version)) {
      c.fail('min_version must be a version such as "1.4.0" (1 to 3 numeric parts, an optional pre-release such as -rc.1)', where('min_version'));
    } else out.min_version = raw.min_version;
  }
  return out;
}

function checkEvent(raw, ctx, path, productFixed) {
  const { problems, file } = ctx;
  const c = at(problems, file, path);
  if (!isObject(raw)) return c.fail('an event must be an object');
  c.keys(raw, ['name', 'description', 'dedup', 'fields', 'fixed_columns', 'success_field', ...SETTING_KEYS]);
  const name = c.string(raw.name, 'name', { pattern: EVENT_NAME, max: 64 });
  if (RESERVED_EVENT_NAMES.includes(name)) c.fail(`"${name}" is reserved for a route of every product`, `${path}.name`);
  const label = name ? `${path} (${name})` : path;
  const e = at(problems, file, label);
  const settings = checkSettings(raw, e, label);
  e.string(raw.description, 'description', { max: 500 });
  const fields = checkFields(raw.fields, ctx, `${label}.fields`, true);
  if (countFields(fields) > MAX_FIELDS_PER_EVENT) e.fail(`an event may declare at most ${MAX_FIELDS_PER_EVENT} fields`);
  const fixed = { ...productFixed, ...checkFixed(raw.fixed_columns, ctx, `${label}.fixed_columns`) };
  const fed = new Map();
  for (const f of fields) {
    if (!f.column) continue;
    if (fed.has(f.column)) e.fail(`column ${f.column} is fed by both ${fed.get(f.column)} and ${f.name}`, `${label}.fields`);
    if (fixed[f.column] !== undefined) e.fail(`column ${f.column} is both fixed and fed by field ${f.name}`, `${label}.fields`);
    fed.set(f.column, f.name);
  }
  let dedup = raw.dedup;
  if (dedup === 'none') {
    dedup = { fields: [], per_day: false };
  } else if (!isObject(dedup)) {
    e.fail('dedup must be "none" or { "fields": [...], "per_day": false }', `${label}.dedup`);
    dedup = { fields: [], per_day: false };
  } else {
    at(problems, file, `${label}.dedup`).keys(dedup, ['fields', 'per_day']);
    if (!Array.isArray(dedup.fields) || dedup.fields.length === 0) {
      e.fail('dedup.fields must list at least one field (or write "dedup": "none")', `${label}.dedup.fields`);
    } else {
      for (const key of dedup.fields) {
        const f = fields.find((x) => x.name === key);
        if (!f) e.fail(`dedup field "${key}" is not a top-level field of this event`, `${label}.dedup.fields`);
        else if (!f.required) e.fail(`dedup field "${key}" must be required`, `${label}.dedup.fields`);
        else if (!SCALAR_KINDS.includes(f.kind)) e.fail(`dedup field "${key}" must be a scalar kind`, `${label}.dedup.fields`);
      }
    }
    if (dedup.per_day !== undefined && typeof dedup.per_day !== 'boolean') e.fail('per_day must be true or false', `${label}.dedup.per_day`);
    dedup = { fields: Array.isArray(dedup.fields) ? dedup.fields : [], per_day: dedup.per_day === true };
  }
  // success_field names the bool field that says whether what the event reports went well: the
  // rollups count successes and failures from it.
  let successField = null;
  if (raw.success_field !== undefined) {
    const f = fields.find((x) => x.name === raw.success_field);
    if (!f || f.kind !== 'bool') e.fail(`success_field "${raw.success_field}" must name a top-level bool field`, `${label}.success_field`);
    else {
      successField = f.name;
      // Its successes and failures are counted already: a breakdown by it only if asked for.
      if (f.stats === 'dimension' && raw.fields.find((x) => x?.name === f.name)?.stats === undefined) f.stats = 'none';
    }
  }
  return { name, description: raw.description, dedup, fixed_columns: fixed, fields, success_field: successField, settings };
}

function checkFixed(raw, ctx, path) {
  if (raw === undefined) return {};
  const c = at(ctx.problems, ctx.file, path);
  if (!isObject(raw)) {
    c.fail('fixed_columns must be an object of column -> value');
    return {};
  }
  for (const [column, value] of Object.entries(raw)) {
    if (!FIXABLE_COLUMNS.includes(column)) c.fail(`column "${column}" cannot be fixed (fixable: ${FIXABLE_COLUMNS.join(', ')})`, `${path}.${column}`);
    if (typeof value !== 'string' || value === '' || value.length > 64 || UNPRINTABLE.test(value)) {
      c.fail('a fixed value must be a printable string of 1 to 64 characters', `${path}.${column}`);
    }
  }
  return raw;
}

// A PostHog event name: what posthog clients capture. A trailing * matches any start
// (`*-error` for Axolotl's `<module>.<function>-error`).
const POSTHOG_EVENT = /^\*?[A-Za-z0-9_.:$-]{1,128}$/;

// checkPosthog() checks a product's `posthog` section: how PostHog capture requests
// (docs/PROTOCOL.md, "PostHog capture") become its events. `api_keys` are the project keys that
// name the product when the path does not; `distinct_id` the top-level field distinct_id fills;
// `events` maps each captured event name to an event of the product, as a name or as
// {"event": name, "name_field": field} when the captured name itself is stored in a field.
function checkPosthog(raw, ctx, events) {
  const c = at(ctx.problems, ctx.file, 'posthog');
  if (!isObject(raw)) return c.fail('posthog must be an object');
  c.keys(raw, ['api_keys', 'distinct_id', 'events', 'paths']);
  const apiKeys = raw.api_keys ?? [];
  if (!Array.isArray(apiKeys) || apiKeys.some((k) => typeof k !== 'string' || !/^[A-Za-z0-9_-]{8,128}$/.test(k))) {
    c.fail('api_keys must list project keys (8 to 128 letters, digits, _ or -)', 'posthog.api_keys');
  }
  const topLevel = (event, name) => event?.fields.find((f) => f.name === name);
  const mapping = [];
  if (!isObject(raw.events) || Object.keys(raw.events).length === 0) {
    c.fail('events must map captured event names to events of the product', 'posthog.events');
  } else {
    for (const [captured, target] of Object.entries(raw.events)) {
      const where = `posthog.events.${captured}`;
      if (!POSTHOG_EVENT.test(captured)) c.fail(`"${captured}" is not a PostHog event name (a trailing * may start it)`, where);
      const name = typeof target === 'string' ? target : target?.event;
      const event = events.find((e) => e.name === name);
      if (!event) {
        c.fail(`"${name}" is not an event of the product`, where);
        continue;
      }
      const nameField = isObject(target) ? target.name_field : undefined;
      if (isObject(target)) c.keys(target, ['event', 'name_field']);
      if (nameField !== undefined && topLevel(event, nameField)?.kind !== 'string') {
        c.fail(`name_field "${nameField}" must be a top-level string field of ${name}`, where);
      }
      mapping.push({ captured, event: name, ...(nameField ? { name_field: nameField } : {}) });
    }
  }
  if (raw.distinct_id !== undefined) {
    for (const { event } of mapping) {
      if (!topLevel(events.find((e) => e.name === event), raw.distinct_id)) {
        c.fail(`distinct_id "${raw.distinct_id}" must be a top-level field of every mapped event (${event} has none)`, 'posthog.distinct_id');
      }
    }
  }
  // paths: flat property -> the field it fills, as a dotted path of field names (Kelos sends
  // tasks_by_type for tasks.by_type); "prefix_*" -> "object.*" fills a map key by key.
  const paths = raw.paths ?? {};
  if (!isObject(paths)) c.fail('paths must map flat property names to dotted field paths', 'posthog.paths');
  for (const [flat, path] of Object.entries(isObject(paths) ? paths : {})) {
    const where = `posthog.paths.${flat}`;
    const wildcard = flat.endsWith('*');
    if (typeof path !== 'string' || wildcard !== path.endsWith('.*')) {
      c.fail('a path is a dotted field path, ending in .* exactly when the property name ends in *', where);
      continue;
    }
    const segments = (wildcard ? path.slice(0, -2) : path).split('.');
    for (const { event } of mapping) {
      let fields = events.find((e) => e.name === event)?.fields ?? [];
      let field;
      for (const segment of segments) {
        field = fields.find((f) => f.name === segment);
        fields = field?.kind === 'object' ? field.fields : [];
      }
      if (!field || (wildcard && field.kind !== 'map')) {
        c.fail(`${path} names no ${wildcard ? 'map' : 'field'} of ${event}`, where);
      }
    }
  }
  return {
    api_keys: apiKeys, ...(raw.distinct_id ? { distinct_id: raw.distinct_id } : {}), events: mapping,
    ...(isObject(paths) && Object.keys(paths).length ? { paths } : {}),
  };
}

function checkProduct(raw, ctx) {
  const { problems, file } = ctx;
  const c = at(problems, file, '');
  if (!isObject(raw)) return c.fail('a product file must hold one JSON object');
  c.keys(raw, ['$schema', 'product', 'title', 'description', 'opt_out', 'fixed_columns', 'default_event', 'posthog', 'events',
    ...SETTING_KEYS, 'version_check']);
  const product = c.string(raw.product, 'product', { pattern: PRODUCT_NAME, max: 64 });
  // These names are routes of their own: /v1/batch, /v1/forget, /v1/schema, /v1/stats/…, /v1/public/….
  if (['batch', 'forget', 'schema', 'stats', 'public', 'admin'].includes(product)) c.fail(`"${product}" is reserved for a route`, 'product');
  if (product && basename(file) !== `${product}.json`) c.fail(`the file must be named ${product}.json`, 'product');
  c.string(raw.title, 'title', { max: 100 });
  c.string(raw.description, 'description', { max: 1000 });
  if (!Array.isArray(raw.opt_out) || raw.opt_out.length === 0 || raw.opt_out.some((s) => typeof s !== 'string' || s.trim() === '')) {
    c.fail('opt_out must list at least one way for users to opt out', 'opt_out');
  }
  const settings = checkSettings(raw, c, '');
  // version_check: every ingest response of the product also carries the check's answer (the Worker's).
  if (raw.version_check !== undefined && typeof raw.version_check !== 'boolean') c.fail('version_check must be true or false', 'version_check');
  else if (raw.version_check === true) settings.version_check = true;
  const fixed = checkFixed(raw.fixed_columns, ctx, 'fixed_columns');
  if (!Array.isArray(raw.events) || raw.events.length === 0) {
    c.fail('events must be a non-empty list', 'events');
    return undefined;
  }
  const events = raw.events.map((e, i) => checkEvent(e, ctx, `events[${i}]`, fixed)).filter(Boolean);
  const names = events.map((e) => e.name);
  names.forEach((n, i) => { if (n && names.indexOf(n) !== i) c.fail(`event "${n}" is declared twice`, 'events'); });
  // The event a bare product path means (/v1/{product}): Langflow sends its version event to the
  // base URL it is given, with no event segment.
  if (raw.default_event !== undefined && !names.includes(raw.default_event)) {
    c.fail(`default_event must name one of the product's events (${names.join(', ')})`, 'default_event');
  }
  const posthog = raw.posthog === undefined ? undefined : checkPosthog(raw.posthog, ctx, events);
  for (const [role, limit] of Object.entries(STATS_LIMITS)) {
    const named = new Set(statsFields(events).filter((f) => f.stats === role).map((f) => role === 'dimension' ? f.path : `${f.event}:${f.path}`));
    if (named.size > limit) c.fail(`at most ${limit} fields of the product may have stats "${role}" (${named.size} do${role === 'dimension' ? ', enum and bool fields by default' : ''}): set "stats": "none" on the others`, 'events');
  }
  return {
    product, title: raw.title, description: raw.description, opt_out: raw.opt_out,
    ...(raw.default_event !== undefined ? { default_event: raw.default_event } : {}),
    ...(posthog ? { posthog } : {}), settings, events,
  };
}

// statsFields() lists the fields of `events` that the rollups chart, nested ones too, as
// { event, path (dotted), kind, stats, description }.
export function statsFields(events) {
  const out = [];
  const walk = (event, fields, prefix) => {
    for (const f of fields) {
      if (f.kind === 'object') walk(event, f.fields ?? [], `${prefix}${f.name}.`);
      else if (f.stats && f.stats !== 'none') out.push({ event: event.name, path: `${prefix}${f.name}`, kind: f.kind, stats: f.stats, description: f.description });
    }
  };
  for (const e of events) walk(e, e.fields ?? [], '');
  return out;
}

// loadCatalogue() reads dir/presets.json and every dir/products/*.json. It returns
// { products, problems }: products sorted by name, problems as "file: path: message" lines.
export function loadCatalogue(dir) {
  const problems = new Problems();
  const presetsFile = join(dir, 'presets.json');
  const presetDoc = readJson(presetsFile, problems) ?? {};
  const presets = isObject(presetDoc.presets) ? presetDoc.presets : {};
  for (const [name, preset] of Object.entries(presets)) {
    if (!isObject(preset) || !Array.isArray(preset.values)) problems.add(presetsFile, `presets.${name}`, 'a preset needs values (and may have aliases)');
  }
  let files = [];
  try {
    files = readdirSync(join(dir, 'products')).filter((f) => f.endsWith('.json')).sort();
  } catch (error) {
    problems.add(join(dir, 'products'), '', `cannot list: ${error.message}`);
  }
  if (files.length === 0) problems.add(join(dir, 'products'), '', 'no product files (*.json)');
  const products = [];
  for (const name of files) {
    const file = join(dir, 'products', name);
    const raw = readJson(file, problems);
    if (raw === undefined) continue;
    const product = checkProduct(raw, { problems, file, presets });
    if (product) products.push(product);
  }
  const names = products.map((p) => p.product);
  names.forEach((n, i) => { if (names.indexOf(n) !== i) problems.add(dir, '', `product "${n}" is declared twice`); });
  // A PostHog project key names one product.
  const keyOwners = new Map();
  for (const p of products) {
    for (const key of p.posthog?.api_keys ?? []) {
      if (keyOwners.has(key)) problems.add(dir, '', `PostHog api key ${key} is declared by ${keyOwners.get(key)} and ${p.product}`);
      keyOwners.set(key, p.product);
    }
  }
  return { products, problems: problems.list };
}

// ---- the public form --------------------------------------------------------------------------

// publicEnum() describes an enum, a field's or a list item's: values, what happens to others, and
// the other spellings each value is accepted under.
function publicEnum(spec) {
  const out = { values: spec.values, unknown: spec.unknown };
  if (spec.aliases.length) out.value_aliases = Object.fromEntries(spec.aliases.map(([s, i]) => [s, spec.values[i]]));
  return out;
}

// publicField() keeps what a person or an SDK author needs: no generator internals.
function publicField(f) {
  const out = { name: f.name, kind: f.kind, required: f.required, description: f.description };
  if (f.aliases.length) out.aliases = f.aliases;
  if (f.column) out.column = f.column;
  if (f.max_length !== undefined && f.kind !== 'list') out.max_length = f.max_length;
  if (f.kind === 'string' && f.truncate) out.on_too_long = 'truncate';
  if (f.kind === 'string' && f.pattern) out.pattern = f.pattern.source;
  if (f.min !== undefined && (f.kind === 'integer' || f.kind === 'number')) Object.assign(out, { min: f.min, max: f.max });
  if (f.enum && f.kind === 'enum') Object.assign(out, publicEnum(f.enum));
  if (f.precision) out.precision = f.precision;
  if (f.full_property) out.full_property = f.full_property;
  if (f.allowed_owners) out.allowed_owners = f.allowed_owners;
  if (f.kind === 'list') {
    out.max_items = f.max_items;
    out.items = f.item_kind === 'enum' ? { kind: 'enum', ...publicEnum(f.enum) }
      : { kind: 'string', max_length: f.max_length, ...(f.pattern ? { pattern: f.pattern.source } : {}) };
  }
  if (f.kind === 'map') {
    Object.assign(out, { max_keys: f.max_items, key_pattern: f.pattern?.source, values: { kind: f.item_kind, min: f.min, max: f.max } });
  }
  if (f.kind === 'object') out.fields = f.fields.map(publicField);
  if (f.stats && f.stats !== 'none') out.stats = f.stats;
  return out;
}

export function publicCatalogue(products) {
  return {
    products: products.map((p) => ({
      product: p.product,
      title: p.title,
      description: p.description,
      opt_out: p.opt_out,
      ...(p.default_event ? { default_event: p.default_event } : {}),
      ...(p.posthog ? { posthog: p.posthog } : {}),
      ...p.settings,
      events: p.events.map((e) => ({
        name: e.name,
        description: e.description,
        dedup: e.dedup.fields.length ? e.dedup : 'none',
        fixed_columns: e.fixed_columns,
        ...(e.success_field ? { success_field: e.success_field } : {}),
        ...e.settings,
        fields: e.fields.map(publicField),
      })),
    })),
  };
}
