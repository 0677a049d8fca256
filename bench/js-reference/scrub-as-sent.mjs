// scrub-as-sent.mjs: whether a value that is stored exactly as sent (a version, a map key, a model
// id, a column) could carry something personal (wasm/src/scrub/as_sent.cpp). It cannot be
// scrubbed, only refused, so it is held to more than "the scrubber would change nothing".
import { isAlnum, isDigit, isUpper } from './scrub-chars.mjs';
import { LONGEST_REMEMBERED, Recent } from './recent.mjs';
import { changes } from './scrub.mjs';

// Glued parts are at most this many: the values checked here are short, and each part costs one
// scrubber pass.
const MAX_GLUED_PARTS = 12;

// isDateTimeStamp() is true for 12 or 14 digits that read as YYYYMMDDhhmm[ss] in this century or
// the last: Go's pseudo-versions (0.0.0-20191109021931-daa7c04131f5) and nightly builds carry one.
function isDateTimeStamp(digits) {
  if (digits.length !== 12 && digits.length !== 14) return false;
  const number = (at) => Number(digits.slice(at, at + 2));
  const [century, month, day, hour, minute] = [0, 4, 6, 8, 10].map(number);
  const second = digits.length === 14 ? number(12) : 0;
  return (century === 19 || century === 20) && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 &&
    minute < 60 && second < 60;
}

const isHexLetter = (c) => (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

// isPseudoVersionCommit() is true for the 12-hex commit of a Go pseudo-version
// (v0.0.0-20191109021931-daa7c04131f5) when all twelve happen to be digits (1 in 280).
function isPseudoVersionCommit(value, start, run) {
  return run === 12 && start >= 15 && value[start - 1] === '-' && isDateTimeStamp(value.slice(start - 15, start - 1)) &&
    (start === 15 || !isDigit(value[start - 16]));
}

// isDescribedCommit() is true for digits after the 'g' that git describe and setuptools-scm put
// before a commit (1.2.3-4-g0a1b2c3, 1.2.3.dev4+g0a1b2c3).
const isDescribedCommit = (value, start) => start >= 2 && value[start - 1] === 'g' && '-+.'.includes(value[start - 2]);

// hasLongNumber() is true for a run of more than 8 digits that is not a date and time: a phone
// number, an SSN, an account or card number, whatever separators the scrubber's rules expect. A run
// touching a hex letter is part of a hex id (a UUID or commit group such as 948454193fe9), not a
// number.
function hasLongNumber(value) {
  let run = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && isDigit(value[i])) {
      run++;
      continue;
    }
    const start = i - run;
    const inHex = (start > 0 && isHexLetter(value[start - 1])) || (i < value.length && isHexLetter(value[i])) ||
      isDescribedCommit(value, start);
    if (run > 8 && !inHex && !isDateTimeStamp(value.slice(start, i)) && !isPseudoVersionCommit(value, start, run)) return true;
    run = 0;
  }
  return false;
}

// isCanonicalUuid() is true for 8-4-4-4-12 hex digits: an id that can hold nothing but itself.
const CANONICAL_UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

// hasHexGroupRun() is true for six or more groups of one to four hex digits joined by '_' or '-',
// one of them with a digit: an IPv6 address as an identifier writes it.
function hasHexGroupRun(value) {
  let groups = 0;
  let digit = false;
  let i = 0;
  while (i < value.length) {
    const start = i;
    let hasDigit = false;
    for (; i < value.length && /[0-9A-Fa-f]/.test(value[i]) && i - start < 5; i++) {
      if (isDigit(value[i])) hasDigit = true;
    }
    const length = i - start;
    if (length >= 1 && length <= 4 && (i === value.length || value[i] === '_' || value[i] === '-')) {
      digit ||= hasDigit;
      if (++groups >= 6 && digit) return true;
    } else {
      groups = 0;
      digit = false;
      while (i < value.length && value[i] !== '_' && value[i] !== '-') i++;
    }
    if (i < value.length) i++;
  }
  return false;
}

// hasSmallNumberQuad() is true for four numbers of at most 255 in a row, joined by '-' or '_': an
// IPv4 address as host names and identifiers write it (ip-10-0-0-5, 192_168_1_1).
function hasSmallNumberQuad(value) {
  let inRow = 0;
  let i = 0;
  while (i < value.length) {
    if (!isDigit(value[i])) {
      if (value[i] !== '-' && value[i] !== '_') inRow = 0;
      i++;
      continue;
    }
    const start = i;
    let number = 0;
    while (i < value.length && isDigit(value[i]) && i - start < 4) number = number * 10 + (value.charCodeAt(i++) - 48);
    const small = i - start <= 3 && number <= 255 && (i === value.length || !isDigit(value[i]));
    while (i < value.length && isDigit(value[i])) i++;
    const joinedBefore = start > 0 && (value[start - 1] === '-' || value[start - 1] === '_');
    inRow = small ? (joinedBefore && inRow > 0 ? inRow + 1 : 1) : 0;
    if (inRow === 4) return true;
  }
  return false;
}

// hasRandomRun() is true for a run of 12 or more letters and digits that mixes upper case, lower
// case and digits and switches between them more often than every other character: a key cut into
// pieces short enough for each rule. Names do not switch that often (TinyLlama1B, Wav2Vec2Base,
// GPT4AllJ13BSnoozy), and hex commits have no upper case.
function hasRandomRun(value) {
  const kind = (c) => (isDigit(c) ? 0 : isUpper(c) ? 1 : 2);
  let i = 0;
  while (i < value.length) {
    if (!isAlnum(value[i])) {
      i++;
      continue;
    }
    const start = i;
    const seen = [0, 0, 0];
    let switches = 0;
    for (; i < value.length && isAlnum(value[i]); i++) {
      seen[kind(value[i])]++;
      if (i > start && kind(value[i]) !== kind(value[i - 1])) switches++;
    }
    const length = i - start;
    if (length >= 12 && seen[0] > 0 && seen[1] > 0 && seen[2] > 0 && 2 * switches > length) return true;
  }
  return false;
}

// unsafeAsSent() is true when the value could carry something personal: the scrubber would change
// it or a part glued into it, or it holds a long number, an address written with '-' or '_', or a
// run that looks random.
export function unsafeAsSent(value) {
  if (CANONICAL_UUID.test(value)) return false;
  if (value.length > LONGEST_REMEMBERED) return unsafeAsSentUncached(value);
  const known = recentVerdicts.get(value);
  return known ?? recentVerdicts.keep(value, unsafeAsSentUncached(value));
}

const recentVerdicts = new Recent(8);

function unsafeAsSentUncached(value) {
  if (hasHexGroupRun(value) || hasLongNumber(value) || hasSmallNumberQuad(value) || hasRandomRun(value) || changes(value)) return true;
  // The rules look for a token where a word starts, so one glued after a version, an owner or a
  // prefix (1.0.0-Janes-MacBook-Pro, key_AKIA…, x_4111_1111_1111_1111) is read on its own too, with
  // the joints that are no part of any token read as spaces.
  const spaced = value.replace(/[_+/=]/g, ' ');
  if (spaced !== value && changes(spaced)) return true;
  // Identifiers join words with '_' where text writes '-': jdoe_laptop, desktop_7qk2m3p.
  if (value.includes('_') && changes(value.replaceAll('_', '-'))) return true;
  let parts = 0;
  for (let i = 0; i + 1 < spaced.length && parts < MAX_GLUED_PARTS; i++) {
    if ((spaced[i] === '-' || spaced[i] === '.') && isAlnum(spaced[i + 1])) {
      parts++;
      if (changes(spaced.slice(i + 1))) return true;
    }
  }
  return false;
}
