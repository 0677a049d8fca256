// scrub-checks.mjs: what a scrubbing rule's match must also satisfy, beyond its regular expression:
// checksums and numbering rules, personal machine names, the groups of an IPv6 address, words that
// are no secret, URL segments that can only be keys.
import { GLUED_AT, IPV4_AT } from './scrub-patterns.mjs';

const isHex = (c) => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isDigit = (c) => c !== undefined && c >= '0' && c <= '9';

// gluedAt() is true when text[at] continues a word (or is a placeholder): nothing may end before it.
export function gluedAt(text, at) {
  GLUED_AT.lastIndex = at;
  return GLUED_AT.test(text);
}

// ipv4End() is the end of an IPv4 address at `at`, or -1.
export function ipv4End(text, at) {
  IPV4_AT.lastIndex = at;
  return IPV4_AT.test(text) ? IPV4_AT.lastIndex : -1;
}

// ipv6End() reads an IPv6 address at `at` (full, compressed, with an IPv4 tail or a zone) and
// returns its end, or -1: groups of 1 to 4 hex digits, eight of them or fewer around one "::", a
// decimal digit somewhere (so dead::beef and C++ scopes stay text), not glued to a word.
export function ipv6End(text, at) {
  let p = at;
  let groups = 0;
  let colons = 0;
  let compressed = false;
  let digit = false;
  while (p < text.length && groups <= 8 && colons <= 8) {
    const start = p;
    for (; p < text.length && isHex(text[p]) && p - start < 5; p++) if (isDigit(text[p])) digit = true;
    if (p - start > 4) return -1;
    if (p > start) groups++;
    if (text[p] === '.' && groups > 0 && colons >= 2) {
      // An IPv4 tail (::ffff:10.0.0.1): its digits are the last group.
      p = ipv4End(text, start);
      if (p < 0) return -1;
      digit = true;
      break;
    }
    if (text[p] !== ':') break;
    colons++;
    p++;
    if (text[p] === ':') {
      if (compressed) return -1;
      compressed = true;
      colons++;
      p++;
    }
  }
  if (gluedAt(text, p)) return -1;
  if (p > at && text[p - 1] === ':' && !(p >= at + 2 && text[p - 2] === ':')) p--; // a trailing ':' is text
  if (colons < 2 || !digit || (compressed ? groups > 7 : groups !== 8)) return -1;
  const zone = /%[A-Za-z0-9][A-Za-z0-9_.-]{0,31}/y; // fe80::1%eth0
  zone.lastIndex = p;
  return zone.test(text) ? zone.lastIndex : p;
}

// Suffixes only a home or local network resolves (mDNS, home routers, RFC 8375), and the model
// words machines take after their owner ("Janes-MacBook-Pro", "jane-ThinkPad-X1-Carbon").
const LOCAL_SUFFIXES = ['.local', '.localdomain', '.lan', '.home', '.home.arpa'];
const DEVICE_WORDS = new Set(['macbook', 'macbookpro', 'macbookair', 'mbp', 'imac', 'iphone', 'ipad', 'thinkpad']);
const MAC_MODELS = new Set(['mini', 'studio', 'pro']);
// Windows names a new machine DESKTOP- or LAPTOP- and 7 or 8 random capitals and digits.
const WINDOWS_DEFAULT_NAME = /^(?:DESKTOP|LAPTOP)-[A-Z0-9]{7,8}$/;

export function isPersonalHost(name) {
  const lower = name.toLowerCase();
  for (const suffix of LOCAL_SUFFIXES) {
    if (lower.length > suffix.length && lower.endsWith(suffix) && lower[lower.length - suffix.length - 1] !== '.') return true;
  }
  const dot = name.indexOf('.');
  const label = dot === -1 ? lower : lower.slice(0, dot);
  if (WINDOWS_DEFAULT_NAME.test(dot === -1 ? name : name.slice(0, dot))) return true;
  // An owner's name, then a model: from the second hyphenated word on.
  const words = label.split('-');
  for (let k = 1; k < words.length; k++) {
    if (DEVICE_WORDS.has(words[k]) || (words[k] === 'mac' && MAC_MODELS.has(words[k + 1]))) return true;
  }
  return false;
}

// Words that say something about a secret rather than being one: "the token is invalid". Only the
// "key is value" form consults them.
const NOT_SECRETS = new Set([
  'a', 'an', 'the', 'not', 'no', 'now', 'too', 'also', 'only', 'still', 'already', 'being', 'invalid',
  'incorrect', 'wrong', 'expired', 'missing', 'required', 'empty', 'null', 'none', 'nil', 'undefined', 'set',
  'unset', 'correct', 'valid', 'revoked', 'malformed', 'blank', 'disabled', 'enabled', 'ok', 'okay', 'present',
  'absent', 'weak', 'strong', 'needed', 'mandatory', 'optional', 'bad', 'good', 'stale', 'unknown', 'false',
  'true', 'incomplete', 'different', 'same', 'changed', 'reset', 'locked', 'used', 'shared', 'stored', 'saved',
  'hidden', 'visible', 'available', 'unavailable', 'supported', 'unsupported', 'deprecated', 'insecure',
  'secure', 'short', 'long', 'provided', 'given', 'configured', 'specified', 'defined', 'ignored', 'accepted',
  'rejected', 'denied', 'in', 'on', 'at', 'for', 'from', 'of', 'to', 'with', 'by', 'too_short',
]);

export const isNotSecret = (word) => NOT_SECRETS.has(word.replace(/[.,;!?]+$/, '').toLowerCase());

// A credential after Bearer, Basic or Token has a digit or padding, or is long and mixed case.
export const looksLikeCredential = (run) =>
  run.length >= 8 && (/[0-9=]/.test(run) || (run.length >= 16 && /[A-Z]/.test(run) && /[a-z]/.test(run)));

// Letters switching case between neighbours, as random text does and CamelCase seldom does.
function caseSwitches(run) {
  let switches = 0;
  for (let i = 1; i < run.length; i++) {
    const a = run[i - 1];
    const b = run[i];
    if (/[A-Za-z]/.test(a) && /[A-Za-z]/.test(b) && (a <= 'Z') !== (b <= 'Z')) switches++;
  }
  return switches;
}

// isLongSecret() judges a run of 32+ base64 characters: hex with a digit (but for exactly 40 or 64
// lower-case digits: git commits and SHA-256 digests name code), or 40+ characters mixing upper
// case, lower case and digits. With '/' but no '+' or '=' padding it may be a relative path, and
// is a secret only when its letters keep switching case.
export function isLongSecret(run) {
  const digits = /\d/.test(run);
  if (/^[0-9A-Fa-f]+$/.test(run) && digits) return !((run.length === 40 || run.length === 64) && !/[A-Z]/.test(run));
  if (run.length < 40 || !digits || !/[A-Z]/.test(run) || !/[a-z]/.test(run)) return false;
  if (run.includes('/') && !run.includes('+') && !run.endsWith('=')) {
    return caseSwitches(run) * 4 >= (run.match(/[A-Za-z]/g) ?? []).length;
  }
  return true;
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const COMMIT = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

// looksLikeKey() is true for a URL path segment that can only be a key: 20+ token characters whose
// kind (lower, upper, digit) keeps changing. Slugs, UUIDs and commit hashes name things and stay.
export function looksLikeKey(segment) {
  if (segment.length < 20 || !/^[A-Za-z0-9_-]+$/.test(segment) || UUID.test(segment) || COMMIT.test(segment)) return false;
  if (!/\d/.test(segment) || !/[A-Za-z]/.test(segment)) return false;
  const kind = (c) => (c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : c >= '0' && c <= '9' ? 2 : -1);
  let switches = 0;
  for (let i = 1; i < segment.length; i++) {
    const previous = kind(segment[i - 1]);
    const current = kind(segment[i]);
    if (previous >= 0 && current >= 0 && previous !== current) switches++;
  }
  return switches * 4 >= segment.length;
}

// webhookSecretAt() is where the secret part of a webhook URL's path starts (Slack, Discord,
// Microsoft Teams), or -1: everything after it is the webhook's credential.
export function webhookSecretAt(host, path) {
  const name = host.replace(/:.*$/s, '').toLowerCase();
  const lowerPath = path.toLowerCase();
  const prefixed = (prefixes) => prefixes.find((prefix) => lowerPath.startsWith(prefix))?.length ?? -1;
  if (name === 'hooks.slack.com') {
    const at = prefixed(['/services/', '/workflows/', '/triggers/']);
    if (at >= 0) return at;
  }
  if ((name === 'discord.com' || name === 'discordapp.com' || name.endsWith('.discord.com')) && lowerPath.startsWith('/api/')) {
    const at = path.slice(0, 24).indexOf('/webhooks/');
    if (at >= 0) return at + 10;
  }
  if (name.endsWith('.webhook.office.com') || name === 'outlook.office.com') return prefixed(['/webhookb2/', '/webhook/']);
  return -1;
}

// Payment cards: the Luhn check digit.
export function passesLuhn(digits) {
  let sum = 0;
  for (let k = 0; k < digits.length; k++) {
    let d = digits.charCodeAt(digits.length - 1 - k) - 48;
    if (k % 2 === 1) d = d > 4 ? 2 * d - 9 : 2 * d;
    sum += d;
  }
  return sum % 10 === 0;
}

// IBAN lengths by country (SWIFT's IBAN registry).
const IBAN_LENGTHS = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

export const ibanLength = (country) => IBAN_LENGTHS[country.toUpperCase()] ?? 0;

// ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to the end, letters read
// as 10..35: a valid IBAN leaves 1.
export function passesMod97(iban) {
  let remainder = 0;
  for (const c of iban.slice(4) + iban.slice(0, 4)) {
    remainder = isDigit(c) ? (remainder * 10 + Number(c)) % 97 : (remainder * 100 + c.charCodeAt(0) - 55) % 97;
  }
  return remainder === 1;
}

// US social security numbers never issued: area 000, 666 or 900-999, group 00, serial 0000.
export const isIssuedSsn = (ssn) => !/^(?:000|666|9\d\d)-|-00-|-0000$/.test(ssn);
