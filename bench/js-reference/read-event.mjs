// read-event.mjs: one event, already checked by its schema, normalized field by field into the
// values the row stores (docs/NORMALIZATION.md). A value the schema could not judge (an unknown
// enum, a bad UUID, version or time, a value kept as sent that could carry something personal)
// throws a Rejection.
import {
  TIME_OUT_OF_RANGE, VERSION_SENSITIVE, cutVersion, isModelName, isPathLike, normalizeUuid, normalizeVersion,
  timestampFromNumber, timestampFromText,
} from './normalize.mjs';
import { Rejection, keySuffix, unsafeKeySuffix } from './rejection.mjs';
import { unsafeAsSent } from './scrub-as-sent.mjs';
import { scrubText } from './scrub.mjs';
import { cleanText, trimAscii, utf8Length, utf8Prefix } from './text.mjs';

export const MAX_DROPPED_NAMES = 16;
const MAX_DROPPED_NAME_BYTES = 64;

// EventNotes collects what the verdict tells besides its status, and the client's event time.
// One instance serves every event of a request.
export class EventNotes {
  constructor() {
    this.dropped = [];
    this.unknownValues = [];
    this.reset();
  }

  reset() {
    this.dropped.length = 0;
    this.droppedCount = 0;
    this.unknownValues.length = 0;
    this.occurredAt = undefined;
  }

  drop(objectPath, key) {
    if (this.droppedCount++ >= MAX_DROPPED_NAMES) return;
    // Named back to the sender scrubbed, as the core does.
    const name = scrubText(key, MAX_DROPPED_NAME_BYTES);
    this.dropped.push(objectPath === '' ? name : `${objectPath}.${name}`);
  }

  keptAsOther(path) {
    if (!this.unknownValues.includes(path)) this.unknownValues.push(path);
  }
}

// A list item's index in a path; -1 for the field itself.
const pathOf = (field, index) => (index < 0 ? field.path : `${field.path}[${index}]`);

// A string (or list item) as stored: over its bound in UTF-8 bytes it is refused unless the field
// cuts it. A value kept exactly as sent (a column, a value with a pattern) is refused when it could
// carry something personal (scrub-as-sent.mjs); any other string is scrubbed like text.
function stringValue(field, text, index) {
  const fits = text.length * 3 <= field.maxLength || utf8Length(text) <= field.maxLength;
  if (!fits && !field.truncate) throw new Rejection('too_long', pathOf(field, index), `is longer than ${field.maxLength} bytes`);
  if (field.pattern !== null && !field.pattern.test(text)) {
    throw new Rejection('pattern_mismatch', pathOf(field, index), 'does not match the field\'s pattern');
  }
  if (field.pattern === null && (index >= 0 || field.column === null)) return scrubText(text, field.maxLength);
  if (unsafeAsSent(text)) throw new Rejection('sensitive_value', pathOf(field, index), 'holds what looks like an address, a secret or a path');
  return fits ? text : utf8Prefix(text, field.maxLength);
}

// Enum matching ignores case and surrounding spaces (trimmed again: removing a control
// character can leave a space at the edge).
function enumValue(field, text, index, notes) {
  const value = field.enumTable.get(trimAscii(text).toLowerCase());
  if (value !== undefined) return value;
  if (field.unknownAsOther) {
    notes.keptAsOther(field.path);
    return 'other';
  }
  throw new Rejection('invalid_enum', pathOf(field, index), `must be one of: ${field.enumValues.join(', ')}`);
}

function modelId(field, text, notes) {
  // A local path is never kept, whatever its owner; nor a name outside Hugging Face's alphabet,
  // or one that could carry something personal.
  if (isPathLike(text)) return '<path>';
  const slash = text.indexOf('/');
  const owner = slash === -1 ? '' : text.slice(0, slash).toLowerCase();
  if (!field.allowedOwners.has(owner) || !isModelName(text.slice(slash + 1)) || unsafeAsSent(text)) {
    notes.keptAsOther(field.path);
    return 'other';
  }
  return utf8Prefix(text, field.maxLength);
}

// storeTime() stores an event time in UTC milliseconds. The time feeding occurred_at is noted
// too: the row's time and a per-day dedup key come from it.
function storeTime(field, value, values, notes) {
  const ms = typeof value === 'number' ? timestampFromNumber(value) : timestampFromText(trimAscii(value));
  if (ms === TIME_OUT_OF_RANGE) throw new Rejection(ms, field.path, 'must be between 2000-01-01 and 2100-01-01');
  if (typeof ms !== 'number') throw new Rejection(ms, field.path, 'is not epoch seconds, epoch milliseconds or RFC 3339');
  values[field.slot] = ms;
  if (field.column === 'occurred_at') notes.occurredAt = ms;
}

// List items that are null or empty strings are left out, as absent values are.
function readList(field, items, notes) {
  const out = [];
  for (let index = 0; index < items.length; index++) {
    if (items[index] === null) continue;
    const text = cleanText(items[index], false);
    if (text === '') continue;
    out.push(field.itemKind === 'enum' ? enumValue(field, text, index, notes) : stringValue(field, text, index));
  }
  return out;
}

// A map's keys and values were checked by the schema: stored as sent, without null values, so a
// key that could carry something personal is refused. A copy has no prototype, so a key such as "__proto__"
// stays a key.
function readMap(field, map) {
  let hasNull = false;
  for (const key in map) {
    if (unsafeAsSent(key)) {
      throw new Rejection('invalid_key', field.path + unsafeKeySuffix(key), 'has a key that looks like an address, a secret or a path');
    }
    hasNull ||= map[key] === null;
  }
  if (!hasNull) return map;
  const copy = Object.create(null);
  for (const key in map) if (map[key] !== null) copy[key] = map[key];
  return copy;
}

// A string-valued kind, once cleaned and known not to be empty.
function readText(field, text, values, notes) {
  switch (field.kind) {
    case 'string':
      values[field.slot] = stringValue(field, text, -1);
      return;
    case 'text':
      values[field.slot] = scrubText(text, field.maxLength);
      return;
    case 'enum':
      values[field.slot] = enumValue(field, text, -1, notes);
      return;
    case 'uuid': {
      const uuid = normalizeUuid(trimAscii(text));
      if (uuid === undefined) throw new Rejection('invalid_uuid', field.path, 'is not a UUID (8-4-4-4-12 hex digits)');
      values[field.slot] = uuid;
      return;
    }
    case 'version': {
      const version = normalizeVersion(trimAscii(text));
      if (version === undefined) throw new Rejection('invalid_version', field.path, 'is not a version like 1.4.2');
      if (version === VERSION_SENSITIVE) {
        throw new Rejection('invalid_version', field.path, 'looks like an address or holds a secret, which a version must not');
      }
      values[field.slot] = field.precision > 0 ? cutVersion(version, field.precision) : version;
      if (field.fullSlot >= 0) values[field.fullSlot] = version;
      return;
    }
    case 'model':
      values[field.slot] = modelId(field, text, notes);
      return;
    default:
      throw new Error(`field ${field.path}: kind "${field.kind}" is not read as text`);
  }
}

function readField(field, value, values, notes) {
  switch (field.kind) {
    case 'bool':
    case 'integer':
    case 'number':
      values[field.slot] = value; // type and range checked by the schema
      return;
    case 'list':
      values[field.slot] = readList(field, value, notes);
      return;
    case 'map':
      values[field.slot] = readMap(field, value);
      return;
    case 'object':
      values[field.slot] = propertiesOf(field.object, readObject(field.object, value, notes), false);
      return;
    case 'timestamp':
      if (typeof value === 'number') return storeTime(field, value, values, notes);
      break;
    default:
      break;
  }
  // An empty string says nothing: stored as absent, like null; a required field may not be.
  const text = cleanText(value, field.kind === 'text');
  if (text === '') {
    if (field.required) throw new Rejection('empty_value', field.path, 'is empty');
    return;
  }
  if (field.kind === 'timestamp') return storeTime(field, text, values, notes);
  readText(field, text, values, notes);
}

// A field given under two of its names (success and Success) is refused, like a repeated key.
function givenTwice(raw, field) {
  let names = 0;
  for (const name of field.inputNames) if (Object.hasOwn(raw, name)) names++;
  return names > 1;
}

// readObject() returns the values of one JSON object's declared fields by slot (undefined when
// absent), in the order keys were sent, so dropped names and "other" notes keep that order.
export function readObject(plan, raw, notes) {
  const values = new Array(plan.slotCount);
  for (const key in raw) {
    const field = plan.byInputName.get(key);
    if (field === undefined) {
      notes.drop(plan.path, key);
      continue;
    }
    if (field.inputNames.length > 1 && givenTwice(raw, field)) {
      throw new Rejection('duplicate_key', field.path, 'appears more than once');
    }
    if (raw[key] !== null) readField(field, raw[key], values, notes);
  }
  for (const field of plan.required) {
    if (values[field.slot] === undefined) throw new Rejection('missing_field', field.path, 'is required');
  }
  return values;
}

// noteDroppedBefore() names the undeclared keys the core reads before it meets a schema error
// at `path` (keys from this object): the core reads in document order and stops at the first
// error, and checks required fields when their object closes, so an object missing one is read
// whole.
export function noteDroppedBefore(plan, raw, path, notes) {
  for (const key in raw) {
    const field = plan.byInputName.get(key);
    const nested = field?.kind === 'object' && typeof raw[key] === 'object' && raw[key] !== null && !Array.isArray(raw[key]);
    if (path.length > 0 && key === path[0]) {
      if (nested) noteDroppedBefore(field.object, raw[key], path.slice(1), notes);
      return;
    }
    if (field === undefined) notes.drop(plan.path, key);
    else if (nested) noteDroppedBefore(field.object, raw[key], [], notes);
  }
}

// propertiesOf() is the stored object: declared order, each version's uncut value right after
// it. At the top level, fields feeding a column are stored there instead.
export function propertiesOf(plan, values, topLevel) {
  const properties = {};
  for (const field of plan.fields) {
    const value = values[field.slot];
    if (value === undefined) continue;
    if (!topLevel || field.column === null) properties[field.name] = value;
    if (field.fullSlot >= 0) properties[field.fullProperty] = values[field.fullSlot];
  }
  return properties;
}
