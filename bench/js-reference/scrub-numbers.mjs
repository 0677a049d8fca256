// scrub-numbers.mjs: numbers that name a person or an account (wasm/src/scrub/numbers.cpp). Each
// format's checksum or numbering rules are verified, so ordinary numbers (ids, timestamps, sizes)
// that only look alike stay.
import { CARD, IBAN, PHONE, SSN, isAlnum, isAlpha, isDigit, isLower, placeholderBefore } from './scrub-chars.mjs';

// ---- separators -------------------------------------------------------------------------------

// The spaces typesetters and locales put between digit groups: no-break (U+00A0), figure
// (U+2007), thin (U+2009) and narrow no-break (U+202F).
const isWideSpace = (c) => c === '\u00a0' || c === '\u2007' || c === '\u2009' || c === '\u202f';

// numberBefore() is true when a digit ends at `at`, or a placeholder, which stands for what a first
// pass found there.
const numberBefore = (s, at) => at > s.begin && (isDigit(s.s[at - 1]) || placeholderBefore(s.s, at, s.begin));

// groupSeparator() is the separator between digit groups at `at`, or '': one of " -._", a wide
// space, two spaces, " - ", or (SSNs) an en dash. A separator joins groups only when a digit or a
// placeholder (what a first pass made of one) follows it.
function groupSeparator(s, at, enDash = false) {
  const c = s.at(at);
  let length = 0;
  if (c === ' ' && s.at(at + 1) === '-' && s.at(at + 2) === ' ') {
    length = 3;
  } else if (c === ' ' && s.at(at + 1) === ' ') {
    length = 2;
  } else if (c === ' ' || c === '-' || c === '.' || c === '_' || (enDash && c === '\u2013') || isWideSpace(c)) {
    length = 1;
  }
  if (length === 0 || !(isDigit(s.at(at + length)) || s.placeholderAt(at + length))) return '';
  return s.s.slice(at, at + length);
}

// ---- payment cards ----------------------------------------------------------------------------

const MIN_CARD_DIGITS = 13;
const MAX_CARD_DIGITS = 19;

function passesLuhn(digits) {
  let sum = 0;
  for (let k = 0; k < digits.length; k++) {
    let d = digits.charCodeAt(digits.length - 1 - k) - 48;
    if (k % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// 13 to 19 digits, plain or in groups of 3 to 6 joined by one kind of separator (4111 1111 1111
// 1111, 3782-822463-10005, 4111.1111.1111.1111, 4111_1111_…, 4111 - 1111 - …, no-break and thin
// spaces), starting as card networks do (2 to 6), passing the Luhn check.
export function tryCard(s) {
  let digits = '';
  let groups = 0;
  let p = s.i;
  let separator = '';
  for (;;) {
    let group = 0;
    while (isDigit(s.at(p))) {
      if (digits.length === MAX_CARD_DIGITS) return false; // a longer number: an id, not a card
      digits += s.s[p++];
      group++;
    }
    groups++;
    if (groups === 1 && group >= MIN_CARD_DIGITS) break;
    if (group < 3 || group > 6) return false;
    const next = groupSeparator(s, p);
    if (next !== '' && isDigit(s.at(p + next.length)) && (separator === '' || separator === next)) {
      separator = next;
      p += next.length;
      continue;
    }
    break;
  }
  // More digits after the same separator, or any one-character one, make a longer number.
  const after = groupSeparator(s, p);
  if (digits.length < MIN_CARD_DIGITS || s.glued(p) || (after !== '' && (after === separator || after.length === 1))) {
    return false;
  }
  if (digits[0] < '2' || digits[0] > '6') return false;
  let zeros = true;
  for (let k = 1; k < digits.length; k++) zeros &&= digits[k] === '0';
  if (zeros || !passesLuhn(digits)) return false;
  return s.emit(CARD, p);
}

// ---- IBAN -------------------------------------------------------------------------------------

// IBAN lengths by country (SWIFT's IBAN registry).
const IBAN_LENGTHS = new Map(Object.entries({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
}));

const upperAscii = (c) => (isLower(c) ? String.fromCharCode(c.charCodeAt(0) - 32) : c);

// ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to the end, letters read as
// 10..35: a valid IBAN leaves 1.
function passesMod97(chars) {
  let remainder = 0;
  for (let k = 0; k < chars.length; k++) {
    const c = chars[(k + 4) % chars.length];
    remainder = isDigit(c) ? (remainder * 10 + (c.charCodeAt(0) - 48)) % 97 : (remainder * 100 + (c.charCodeAt(0) - 55)) % 97;
  }
  return remainder === 1;
}

// Two letters naming a country, two check digits and the account, electronic (DE89370400440532013000)
// or printed: the first four, then groups of four or three (DE89 370 400 …), joined by one kind of
// separator (a space, "-", ".", "_", a no-break or thin space). The country's length and the
// mod-97 check must hold.
export function tryIban(s) {
  const at = s.i;
  if (!isAlpha(s.at(at + 1)) || !isDigit(s.at(at + 2)) || !isDigit(s.at(at + 3))) return false;
  const length = IBAN_LENGTHS.get(upperAscii(s.s[at]) + upperAscii(s.s[at + 1])) ?? 0;
  if (length === 0) return false;
  let chars = '';
  let p = at;
  let group = 0;
  let groupSize = 0;
  let separator = '';
  while (chars.length < length) {
    const c = s.at(p);
    if (isAlnum(c)) {
      chars += upperAscii(c);
      p++;
      group++;
      continue;
    }
    const isSeparator = c === ' ' || c === '-' || c === '.' || c === '_' || isWideSpace(c);
    if (!isSeparator || !isAlnum(s.at(p + 1))) break;
    if (separator !== '' && c !== separator) break;
    const first = chars.length === group;
    if (first ? group !== 4 : groupSize === 0 ? group !== 3 && group !== 4 : group !== groupSize) break;
    if (!first) groupSize = group;
    separator = c;
    p++;
    group = 0;
  }
  if (chars.length !== length || s.glued(p) || !passesMod97(chars)) return false;
  // Joined by "-", "." or "_", more of the same after it makes a longer token.
  if ((separator === '-' || separator === '.' || separator === '_') && s.at(p) === separator &&
      (isAlnum(s.at(p + 1)) || s.placeholderAt(p + 1))) {
    return false;
  }
  return s.emit(IBAN, p);
}

// ---- SSNs -------------------------------------------------------------------------------------

// AAA-GG-SSSS, the dashes also written as spaces, dots, "_" or en dashes (the same both times),
// with the numbers the Social Security Administration never issues ruled out: area 000, 666 or
// 900-999, group 00, serial 0000. Nine bare digits are left alone: they are ids as often.
export function trySsn(s) {
  const at = s.i;
  if (!isDigit(s.at(at)) || !isDigit(s.at(at + 1)) || !isDigit(s.at(at + 2))) return false;
  const separator = groupSeparator(s, at + 3, true);
  if (separator === '' || separator === '  ' || separator === ' - ') return false;
  // A group of a longer spaced or dotted number (12 345 67 8901) is not one.
  if (separator !== '-' && at >= s.begin + separator.length && s.matches(at - separator.length, separator) &&
      numberBefore(s, at - separator.length)) {
    return false;
  }
  const groupAt = at + 3 + separator.length;
  const serialAt = groupAt + 2 + separator.length;
  if (!isDigit(s.at(groupAt)) || !isDigit(s.at(groupAt + 1)) || !s.matches(groupAt + 2, separator)) return false;
  for (let k = 0; k < 4; k++) if (!isDigit(s.at(serialAt + k))) return false;
  const end = serialAt + 4;
  if (s.glued(end) || groupSeparator(s, end, true) === separator) return false;
  const area = s.s.slice(at, at + 3);
  if (area === '000' || area === '666' || area[0] === '9') return false;
  if (s.s.slice(groupAt, groupAt + 2) === '00' || s.s.slice(serialAt, serialAt + 4) === '0000') return false;
  return s.emit(SSN, end);
}

// ---- phone numbers ----------------------------------------------------------------------------

const MIN_PHONE_DIGITS = 8; // a country code and the shortest national numbers
const MAX_PHONE_DIGITS = 15; // E.164

// International numbers written with their country code, after "+" or the "00" dialled instead
// (+44 20 7946 0958, 0044 20 7946 0958, +1 (415) 555-2671, +14155552671, no-break spaces too), and
// North American ones with separators ((415) 555-2671, 415-555-2671, 415.555.2671, 1-415-555-2671,
// 415 555 2671). Bare runs of digits are left alone: they are ids as often.
export function tryPhone(s) {
  let p = s.i;
  // A separator inside a number: " ", "-", "." or a wide space.
  const separatorAt = (at) => {
    const c = s.at(at);
    return c === ' ' || c === '-' || c === '.' || isWideSpace(c);
  };
  // More of a number at `at`: a separator or "(" then a digit, or a placeholder a first pass made of one.
  const joins = (at) => (s.at(at) === '(' || separatorAt(at)) && (isDigit(s.at(at + 1)) || s.placeholderAt(at + 1));
  const plus = s.at(p) === '+';
  // "00" dialled before a country code, not a group of a longer number (DE89 3704 0044 0532 …).
  const dialled = !plus && s.matches(p, '00') && !(s.i > s.begin && !isAlnum(s.s[s.i - 1]) && numberBefore(s, s.i - 1));
  if (plus || dialled) {
    p += plus ? 1 : 2;
    // No country code starts with 0.
    if (s.at(p) < '1' || s.at(p) > '9') return false;
    const codeAt = p;
    let national = ''; // the first digits, to check North American numbers
    let digits = 0;
    let groups = 1;
    let group = 0;
    let fourDigitGroups = 0;
    let firstGroup = 0;
    let dashesOrDots = 0; // a dialled number is written with spaces
    while (p < s.limit) {
      const c = s.s[p];
      if (isDigit(c)) {
        if (++digits > MAX_PHONE_DIGITS) return false;
        if (digits <= 4) national += c;
        group++;
        p++;
      } else if (separatorAt(p) && (isDigit(s.at(p + 1)) || (c !== '-' && c !== '.' && s.at(p + 1) === '('))) {
        if (groups === 1) firstGroup = group;
        if (group === 4) fourDigitGroups++;
        if (c === '-' || c === '.') dashesOrDots++;
        groups++;
        group = 0;
        p++;
      } else if (c === '(' && isDigit(s.at(p + 1))) {
        let close = p + 1;
        while (isDigit(s.at(close)) && close - p <= 4) close++;
        if (s.at(close) !== ')') break;
        for (let k = p + 1; k < close; k++) if (++digits <= 4) national += s.s[k];
        p = close + 1;
        if (s.at(p) === ' ' && isDigit(s.at(p + 1))) p++;
      } else {
        break;
      }
    }
    if (group === 4) fourDigitGroups++;
    if (groups === 1) firstGroup = group;
    if (digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS || s.glued(p) || joins(p)) return false;
    // +1 is North America: ten digits after it, area code and exchange starting with 2-9. So a
    // signed number (delta +1234567890) is not one.
    if (s.at(codeAt) === '1' && (digits !== 11 || !(national[1] >= '2' && national[1] <= '9'))) return false;
    // "00" reads as a dialled prefix only before a country code of one to three digits set apart,
    // and not in a row of four-digit groups (a hex dump: 0044 2079 4609 5800).
    if (dialled && (groups < 3 || firstGroup > 3 || fourDigitGroups + 1 >= groups || dashesOrDots > 0)) return false;
    return s.emit(PHONE, p);
  }
  // North American: area code and exchange start with 2-9.
  const nxx = (at) => s.at(at) >= '2' && s.at(at) <= '9' && isDigit(s.at(at + 1)) && isDigit(s.at(at + 2));
  const four = (at) => isDigit(s.at(at)) && isDigit(s.at(at + 1)) && isDigit(s.at(at + 2)) && isDigit(s.at(at + 3));
  let spaced = false;
  if (s.at(p) === '(') {
    if (!nxx(p + 1) || s.at(p + 4) !== ')') return false;
    p += 5;
    if (s.at(p) === ' ') p++;
    const separator = s.at(p + 3);
    if (!nxx(p) || (separator !== '-' && separator !== '.' && separator !== ' ') || !four(p + 4)) return false;
    p += 8;
  } else {
    let separator = '';
    if (s.at(p) === '1' && (s.at(p + 1) === '-' || s.at(p + 1) === '.')) {
      separator = s.at(p + 1);
      p += 2;
    }
    const between = s.at(p + 3);
    if (!nxx(p) || (between !== '-' && between !== '.' && between !== ' ') || (separator !== '' && separator !== between)) {
      return false;
    }
    if (!nxx(p + 4) || s.at(p + 7) !== between || !four(p + 8)) return false;
    spaced = between === ' ';
    p += 12;
  }
  if (s.glued(p) || s.continues(p, spaced ? ' -.' : '-.')) return false;
  if (spaced) {
    // Three numbers in a row are more often sizes (256 512 1024, 800 600 1200) or a row of a
    // table: not after another number, not ending in round hundreds or a power of two.
    if (s.i > s.begin && s.s[s.i - 1] === ' ' && numberBefore(s, s.i - 1)) return false;
    const last = s.s.slice(p - 4, p);
    if (last.endsWith('00') || ['1024', '2048', '4096', '8192'].includes(last)) return false;
  }
  return s.emit(PHONE, p);
}
