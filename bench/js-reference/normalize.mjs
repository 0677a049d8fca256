// normalize.mjs: one stored spelling per value (docs/NORMALIZATION.md), for the kinds whose
// rules are more than a type check: uuids, versions, times and model ids. Each takes a cleaned,
// non-empty string (or a number, for times) and returns the stored value, or a failure the
// caller turns into a verdict.
import { unsafeAsSent } from './scrub-as-sent.mjs';
import { utf8Length } from './text.mjs';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DASHED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BARE_UUID = /^[0-9a-f]{32}$/i;

// normalizeUuid() accepts 8-4-4-4-12 hex in any case, optionally in braces, or 32 bare hex
// digits; undefined for anything else.
export function normalizeUuid(text) {
  if (CANONICAL_UUID.test(text)) return text; // what SDKs send: no copy
  const inner = text.length === 38 && text[0] === '{' && text[37] === '}' ? text.slice(1, 37) : text;
  if (DASHED_UUID.test(inner)) return inner.toLowerCase();
  if (!BARE_UUID.test(text)) return undefined;
  const hex = text.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// A runtime's prefix (up to 16 letters, then '-' or '_', right before a digit: v1, go1.22,
// python3.12, python-3), 1 to 4 numeric parts of up to 10 digits, then semver's pre-release and
// build identifiers, each short enough that it cannot hold a key (a git commit fits).
const IDENTIFIERS = '[0-9A-Za-z-]{1,40}(?:\\.[0-9A-Za-z-]{1,40})*';
const VERSION = new RegExp(`^(?:[A-Za-z]{1,16}[-_]?(?=\\d))?(\\d{1,10}(?:\\.\\d{1,10}){0,3})((?:-${IDENTIFIERS})?(?:\\+${IDENTIFIERS})?)$`);
const LEADING_ZERO = /(^|\.)0+(?=\d)/g;
const MAX_VERSION_LENGTH = 128;

export const VERSION_SENSITIVE = 'sensitive_value';

// normalizeVersion() is the version without prefix and leading zeros; undefined when it is not
// one. A version is stored as sent, so one that could carry something personal (10.0.0.5 reads as
// an address, 415.555.2671 as a phone number, 1.0.0-AKIA… holds a key) is VERSION_SENSITIVE.
export function normalizeVersion(text) {
  // As sent, too: a prefix or a leading zero dropped must not make 078-05-1120 or AKIA…12345 pass.
  // Past any version's length (with its prefix of up to 17 characters) the scrubber is not run.
  if (utf8Length(text) > MAX_VERSION_LENGTH + 17) return undefined;
  if (unsafeAsSent(text)) return VERSION_SENSITIVE;
  const match = VERSION.exec(text);
  if (match === null) return undefined;
  const [, numbers, suffix] = match;
  if (numbers.length + suffix.length > MAX_VERSION_LENGTH) return undefined;
  const stripped = numbers.replace(LEADING_ZERO, '$1');
  const version = suffix === '' ? stripped : stripped + suffix;
  return unsafeAsSent(version) ? VERSION_SENSITIVE : version;
}

// cutVersion() keeps the first `parts` numeric parts: 1.30.2-eks-1 with 2 parts is 1.30. A cut
// version never keeps its pre-release or build, however many parts it has.
export function cutVersion(version, parts) {
  let end = 0;
  for (let part = 0; part < parts && end < version.length; part++) {
    if (part > 0) {
      if (version[end] !== '.') break;
      end++;
    }
    while (end < version.length && version.charCodeAt(end) >= 0x30 && version.charCodeAt(end) <= 0x39) end++;
  }
  return end === version.length ? version : version.slice(0, end);
}

// The span of event times phonehome believes: 2000-01-01 up to, not including, 2100-01-01 UTC.
const MIN_TIME_MS = 946684800000;
const MAX_TIME_MS = 4102444800000;
export const DAY_MS = 86400000;
// Below 1e11 a number is epoch seconds (1e11 s is the year 5138, 1e11 ms is 1973).
const SECONDS_BELOW = 1e11;

export const TIME_OUT_OF_RANGE = 'out_of_range';
const TIME_INVALID = 'invalid_timestamp';

// timestampFromNumber() is UTC milliseconds, or one of the TIME_ failures.
export function timestampFromNumber(value) {
  const ms = Math.abs(value) < SECONDS_BELOW ? value * 1000 : value;
  if (!(ms >= MIN_TIME_MS && ms < MAX_TIME_MS)) return TIME_OUT_OF_RANGE;
  return Math.floor(ms);
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year, month) {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

// timestampFromText() reads RFC 3339 with an offset: UTC milliseconds, or one of the TIME_
// failures. A leap second is stored as the second before it.
export function timestampFromText(text) {
  const match = RFC3339.exec(text);
  if (match === null) return TIME_INVALID;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const hour = Number(match[4]);
  const minute = Number(match[5]);
  const second = Number(match[6]);
  const fraction = match[7];
  const sign = match[8];
  const offsetMinutes = sign === undefined ? 0 : Number(match[9]) * 60 + Number(match[10]);
  if (sign !== undefined && (Number(match[9]) > 23 || Number(match[10]) > 59)) return TIME_INVALID;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    return TIME_INVALID;
  }
  const millis = fraction === undefined ? 0 : Number(fraction.slice(0, 3).padEnd(3, '0'));
  const offsetMs = (sign === '-' ? -offsetMinutes : offsetMinutes) * 60000;
  // Date.UTC reads years 0-99 as 1900-1999: both are out of range either way.
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), millis) - offsetMs;
  return ms >= MIN_TIME_MS && ms < MAX_TIME_MS ? ms : TIME_OUT_OF_RANGE;
}

// isPathLike() tells a file system location from a model id: absolute, home- or dot-relative,
// Windows drives and UNC names, file: URLs, and anything with two or more '/'.
const PATH_START = /^(?:[/~.\\]|[A-Za-z]:|file:)/i;

export function isPathLike(text) {
  if (PATH_START.test(text) || text.includes('\\')) return true;
  const slash = text.indexOf('/');
  return slash !== -1 && text.indexOf('/', slash + 1) !== -1;
}

// isModelName() is true for the name part of a model id ("Llama-3.1-8B-Instruct"): the characters
// Hugging Face allows in repository names, at most 96 of them, not only dots and dashes ("." and
// ".." name no repository).
const MODEL_NAME = /^[A-Za-z0-9._-]{1,96}$/;
export const isModelName = (name) => MODEL_NAME.test(name) && /[A-Za-z0-9]/.test(name);
