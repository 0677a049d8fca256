// rejection.mjs: why an event is refused, worded as the core words it: a status code
// (wasm/include/phonehome/status.def), the field's path and a message for people.
import { scrubText } from './scrub.mjs';
import { utf8Length, utf8Prefix } from './text.mjs';

// Thrown while an event is read, caught per event. Not an Error: a rejection is an answer to
// the client, not a bug, and needs no stack trace.
export class Rejection {
  constructor(code, path, message) {
    this.code = code;
    this.path = path;
    this.message = path === '' ? message : `${path} ${message}`;
  }
}

const KIND_DESCRIPTIONS = {
  string: 'a string',
  text: 'a string',
  enum: 'a string',
  bool: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  uuid: 'a UUID string',
  version: 'a version string',
  timestamp: 'epoch seconds, epoch milliseconds or an RFC 3339 string',
  model: 'a model id string',
  list: 'an array',
  map: 'an object',
  object: 'an object',
};

// A map key in a path is cut to a printable length, as in the core.
const MAX_KEY_BYTES = 64;
export const keySuffix = (key) => `.${utf8Prefix(key, MAX_KEY_BYTES)}`;
// A refused key is named back scrubbed, as the core does: a response holds nothing a row could not.
export const refusedKeySuffix = (key) => `.${scrubText(key, MAX_KEY_BYTES)}`;
// A key refused as unsafe as sent is named back scrubbed; one refused for what only its shape
// gives away (the scrubber leaves it whole: 4155552671, 192-168-1-1) is not named at all.
export function unsafeKeySuffix(key) {
  const suffix = refusedKeySuffix(key);
  return utf8Length(suffix) === utf8Length(key) + 1 ? '.<redacted>' : suffix;
}

// coreNumber() writes a bound as the core does: whole numbers up to 2^53 in digits, others as
// the shortest round-trip text in nlohmann's layout (1e+18, 1.5e-05).
function coreNumber(value) {
  if (Number.isInteger(value) && Math.abs(value) <= 2 ** 53) return String(value);
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 15) return String(value);
  return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

// schemaErrorPath() is where ajv's error is, as keys from the event's root: input names, list
// indices, map keys.
export function schemaErrorPath(error) {
  if (error.instancePath === '') return [];
  return error.instancePath.slice(1).split('/').map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
}

// locate() follows that path to the declared field and the suffix (list index or map key) the
// core adds to the field's path.
function locate(plan, keys) {
  let field = null;
  let suffix = '';
  for (const key of keys) {
    if (field === null || field.kind === 'object') {
      field = (field === null ? plan : field.object).byInputName.get(key);
    } else {
      suffix = field.kind === 'list' ? `[${key}]` : keySuffix(key);
    }
  }
  return { field, suffix };
}

// rejectionFromSchema() turns ajv's first error into the verdict the core gives for the same
// fault.
export function rejectionFromSchema(plan, error) {
  const { field, suffix } = locate(plan, schemaErrorPath(error));
  switch (error.keyword) {
    case 'required': {
      const missing = (field === null ? plan : field.object).byInputName.get(error.params.missingProperty);
      return new Rejection('missing_field', missing.path, 'is required');
    }
    case 'type': {
      if (suffix === '') return new Rejection('wrong_type', field.path, `must be ${KIND_DESCRIPTIONS[field.kind]}`);
      // A wrong item of a list or map, scalar or container, is named by its index or key.
      return new Rejection('wrong_type', field.path + suffix, `must be ${KIND_DESCRIPTIONS[field.itemKind]}`);
    }
    case 'maxLength':
      return new Rejection('too_long', field.path + suffix, `is longer than ${field.maxLength} bytes`);
    case 'minimum':
    case 'maximum':
      return new Rejection('out_of_range', field.path + suffix, `must be between ${coreNumber(field.min)} and ${coreNumber(field.max)}`);
    case 'maxItems':
      return new Rejection('too_many_items', field.path, 'holds more items than allowed');
    case 'maxProperties':
      return new Rejection('too_many_items', field.path, 'holds more keys than allowed');
    case 'pattern': // a map key failing propertyNames
      return new Rejection('invalid_key', field.path + refusedKeySuffix(error.propertyName), 'has a key that does not match its pattern');
    default:
      throw new Error(`no verdict for schema error "${error.keyword}" at ${error.instancePath || '/'}`);
  }
}
