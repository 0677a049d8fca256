// scrub-chars.mjs: the character classes the scrubbing rules are written in, the placeholders they
// write (wasm/src/scrub/chars.h, scan.h) and the run and count tables they look up (tables.h).
// ASCII classes are ASCII only, as in the core: a non-ASCII character is a letter, or punctuation
// that ends tokens and paths like ASCII punctuation. Text is read in UTF-16 units where the core
// reads UTF-8 bytes; characters are one-unit strings, and past the end of what is read '\0'.

const PLACEHOLDERS = ['<path>', '<email>', '<ip>', '<mac>', '<host>', '<secret>', '<query>', '<card>', '<iban>', '<ssn>', '<phone>'];
export const [PATH, EMAIL, IP, MAC, HOST, SECRET, QUERY, CARD, IBAN, SSN, PHONE] = PLACEHOLDERS;

// placeholderLength() is the length of the placeholder at text[at], or 0.
export function placeholderLength(text, at) {
  if (text[at] !== '<') return 0;
  for (const placeholder of PLACEHOLDERS) if (text.startsWith(placeholder, at)) return placeholder.length;
  return 0;
}

// placeholderBefore() is true when text[floor, at) ends with a placeholder.
export function placeholderBefore(text, at, floor = 0) {
  if (at < 1 || text[at - 1] !== '>') return false;
  for (let length = 4; length <= 8 && at - length >= floor; length++) {
    if (text[at - length] === '<' && placeholderLength(text, at - length) === length) return true;
  }
  return false;
}

export const isDigit = (c) => c >= '0' && c <= '9';
export const isUpper = (c) => c >= 'A' && c <= 'Z';
export const isLower = (c) => c >= 'a' && c <= 'z';
export const isAlpha = (c) => isUpper(c) || isLower(c);
export const isAlnum = (c) => isDigit(c) || isAlpha(c);
export const isHex = (c) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
export const isHigh = (c) => c >= '\x80';
// The second half of a surrogate pair: a match never starts inside a character.
export const isContinuation = (c) => c >= '\udc00' && c <= '\udfff';
// Word characters glue tokens together. Only ASCII counts, so a secret right after a curly quote,
// a guillemet or CJK text is still found.
export const isWord = (c) => isAlnum(c) || c === '_';
export const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
export const hexValue = (c) => parseInt(c, 16);

export const isTokenChar = (c) => isWord(c) || c === '-';
export const isBase64Char = (c) => isTokenChar(c) || c === '+' || c === '/' || c === '=';
export const isEmailLocalPunct = (c) => c !== '' && c !== '\0' && "'!#$&*/=?^`~{}|".includes(c);
export const isEmailLocal = (c) => isAlnum(c) || (c !== '' && c !== '\0' && '._%+-'.includes(c)) || isEmailLocalPunct(c);
const isSchemeChar = (c) => isAlnum(c) || c === '+' || c === '.' || c === '-';
const isDomainChar = (c) => isAlnum(c) || c === '.' || c === '-';
export const isHostChar = (c) => isAlnum(c) || c === '.' || c === '-' || c === '_';
export const isPosixPathChar = (c) => isAlnum(c) || (c !== '' && c !== '\0' && '/._~+@%=,-'.includes(c)) || isHigh(c);
// Windows path segments stop at the characters Windows forbids in names, and at quotes.
export const isWindowsPathChar = (c) => !(isSpace(c) || c === '' || '\0"\'<>|*?:,;()[]'.includes(c));

// Non-ASCII punctuation and spaces (tables.cpp's MarkPunctuation()): Latin-1 signs, general
// punctuation, CJK and full-width punctuation. Other non-ASCII characters are letters (of e-mail
// addresses, domains, paths).
function isPunct(c) {
  const u = c.charCodeAt(0);
  if (u < 0xa0) return false;
  return u <= 0xbf || (u >= 0x2000 && u <= 0x207f) || (u >= 0x3000 && u <= 0x303f) ||
    (u >= 0xff00 && ((u <= 0xff0f) || (u >= 0xff1a && u <= 0xff20) || (u >= 0xff3b && u <= 0xff40) || (u >= 0xff5b && u <= 0xff65)));
}

// Tables: what the rules look up instead of rescanning (wasm/src/scrub/tables.h). A rule tried at
// every token start of "a-a-a-a…" must not read the rest of the run each time, so where each run of
// each class ends, and running counts of the classes some rules weigh, are computed once per text
// and read in constant time. The counts are built the first time a rule asks.
const SCHEME = 1;
const LOCAL = 2;
const DOMAIN = 4;
const TOKEN = 8;
const BASE64 = 16;
const POSIX = 32;
const ASCII_CLASSES = new Uint8Array(128);
for (let u = 0; u < 128; u++) {
  const c = String.fromCharCode(u);
  ASCII_CLASSES[u] = (isSchemeChar(c) ? SCHEME : 0) | (isEmailLocal(c) ? LOCAL : 0) | (isDomainChar(c) ? DOMAIN : 0) |
    (isTokenChar(c) ? TOKEN : 0) | (isBase64Char(c) ? BASE64 : 0) | (isPosixPathChar(c) ? POSIX : 0);
}

export const NONE = -1;

// The tables' arrays are reused from text to text, as the core reuses its tables: most texts are
// short, and allocating seven arrays for each costs more than filling them. Each Tables is valid
// until the next is built; arrays for texts over a million characters are not kept.
const KEEP_CAPACITY = 1 << 20;
const RUN_NAMES = ['schemeEnd', 'localEnd', 'domainEnd', 'tokenEnd', 'base64End', 'posixEnd'];
const COUNT_NAMES = ['domainTrim', 'posixTrim', 'lastDot', 'nonHex', 'upper', 'lower', 'digit', 'high', 'plus', 'slash', 'equals', 'caseSwitch'];
let kept = null;

function arraysFor(length) {
  if (kept !== null && kept.capacity >= length) return kept;
  const capacity = Math.max(length, 1024);
  const made = { capacity, punctuation: new Uint8Array(capacity), counts: null };
  for (const name of RUN_NAMES) made[name] = new Int32Array(capacity);
  if (capacity <= KEEP_CAPACITY) kept = made;
  return made;
}

export class Tables {
  constructor(text) {
    this.text = text;
    const n = text.length;
    // Run ends: the first position at or after i outside the class.
    this.arrays = arraysFor(n + 1);
    ({
      schemeEnd: this.schemeEnd, localEnd: this.localEnd, domainEnd: this.domainEnd, tokenEnd: this.tokenEnd,
      base64End: this.base64End, posixEnd: this.posixEnd, punctuation: this.punctuation,
    } = this.arrays);
    this.schemeEnd[n] = this.localEnd[n] = this.domainEnd[n] = this.tokenEnd[n] = this.base64End[n] = this.posixEnd[n] = n;
    for (let i = n - 1; i >= 0; i--) {
      const u = text.charCodeAt(i);
      let bits;
      if (u < 0x80) {
        bits = ASCII_CLASSES[u];
        this.punctuation[i] = 0;
      } else {
        // Non-ASCII letters belong to e-mail local parts, domains (IDN) and paths; punctuation ends them.
        const punct = isPunct(text[i]);
        this.punctuation[i] = punct ? 1 : 0;
        bits = punct ? 0 : LOCAL | DOMAIN | POSIX;
      }
      this.schemeEnd[i] = bits & SCHEME ? this.schemeEnd[i + 1] : i;
      this.localEnd[i] = bits & LOCAL ? this.localEnd[i + 1] : i;
      this.domainEnd[i] = bits & DOMAIN ? this.domainEnd[i + 1] : i;
      this.tokenEnd[i] = bits & TOKEN ? this.tokenEnd[i + 1] : i;
      this.base64End[i] = bits & BASE64 ? this.base64End[i + 1] : i;
      this.posixEnd[i] = bits & POSIX ? this.posixEnd[i + 1] : i;
    }
    this.countsReady = false;
  }

  // punct() is true when the character at i is non-ASCII punctuation or space.
  punct(i) {
    return this.punctuation[i] === 1;
  }

  // counts() builds, once per text: domainTrim[e], posixTrim[e] (e with trailing '.' and '-', or
  // '.' and ',', dropped), lastDot[e] (the last '.' before e, or NONE), and prefix counts, where
  // count[j] - count[i] is the number in [i, j).
  counts() {
    if (this.countsReady) return this;
    this.countsReady = true;
    const { text } = this;
    const n = text.length;
    if (this.arrays.counts === null) {
      this.arrays.counts = {};
      for (const name of COUNT_NAMES) this.arrays.counts[name] = new Int32Array(this.arrays.capacity);
    }
    Object.assign(this, this.arrays.counts);
    this.domainTrim[0] = this.posixTrim[0] = 0;
    this.nonHex[0] = this.upper[0] = this.lower[0] = this.digit[0] = this.high[0] = 0;
    this.plus[0] = this.slash[0] = this.equals[0] = this.caseSwitch[0] = 0;
    this.lastDot[0] = NONE;
    let previous = '\0';
    for (let i = 0; i < n; i++) {
      const c = text[i];
      const next = i + 1;
      this.domainTrim[next] = c === '.' || c === '-' ? this.domainTrim[i] : next;
      this.posixTrim[next] = c === '.' || c === ',' ? this.posixTrim[i] : next;
      this.lastDot[next] = c === '.' ? i : this.lastDot[i];
      this.nonHex[next] = this.nonHex[i] + (isHex(c) ? 0 : 1);
      this.upper[next] = this.upper[i] + (isUpper(c) ? 1 : 0);
      this.lower[next] = this.lower[i] + (isLower(c) ? 1 : 0);
      this.digit[next] = this.digit[i] + (isDigit(c) ? 1 : 0);
      this.high[next] = this.high[i] + (isHigh(c) ? 1 : 0);
      this.plus[next] = this.plus[i] + (c === '+' ? 1 : 0);
      this.slash[next] = this.slash[i] + (c === '/' ? 1 : 0);
      this.equals[next] = this.equals[i] + (c === '=' ? 1 : 0);
      this.caseSwitch[next] = this.caseSwitch[i] + (isAlpha(c) && isAlpha(previous) && isUpper(c) !== isUpper(previous) ? 1 : 0);
      previous = c;
    }
    return this;
  }

  letters(from, to) {
    return this.upper[to] - this.upper[from] + this.lower[to] - this.lower[from];
  }
}

// count() is how many of [from, to) a prefix-count table holds.
export const count = (prefix, from, to) => prefix[to] - prefix[from];

// ASCII case only: the core's Lower(), unlike toLowerCase(), leaves the Kelvin sign alone.
export const lowerAscii = (text) => text.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
export const lowerChar = (c) => (isUpper(c) ? String.fromCharCode(c.charCodeAt(0) + 32) : c);

// startsWithIgnoreCase() compares text at `at` with a lower-case `lower`, ignoring ASCII case.
export function startsWithIgnoreCase(text, at, lower) {
  if (at > text.length || text.length - at < lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    const u = text.charCodeAt(at + k);
    if ((u >= 65 && u <= 90 ? u + 32 : u) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

export const equalsIgnoreCase = (text, lower) => text.length === lower.length && startsWithIgnoreCase(text, 0, lower);
export const endsWithIgnoreCase = (text, lower) => text.length >= lower.length && startsWithIgnoreCase(text, text.length - lower.length, lower);
export const isOneOf = (word, words) => words.some((candidate) => equalsIgnoreCase(word, candidate));

export function allDigits(word) {
  for (const c of word) if (!isDigit(c)) return false;
  return word !== '';
}
