// scrub.mjs: free text scrubbed of paths, e-mails, addresses, machines, account numbers and secrets
// (docs/SCRUBBING.md), each replaced by a stable placeholder so the same error from many machines
// stays one message. Here are the scan the rules share (wasm/src/scrub/scan.h, scan.cpp), the order
// in which they are tried, and the window read (wasm/src/scrub.cpp); the rules are in
// scrub-secrets.mjs, scrub-network.mjs, scrub-paths.mjs and scrub-numbers.mjs.
import {
  Tables, isAlnum, isAlpha, isContinuation, isDigit, isHex, isSpace, isTokenChar, isWord, placeholderBefore, placeholderLength, startsWithIgnoreCase,
} from './scrub-chars.mjs';
import {
  tryDeviceName, tryEmail, tryGluedIpv4, tryHostName, tryIpv4, tryIpv6, tryMac, tryUrl,
} from './scrub-network.mjs';
import { tryCard, tryIban, tryPhone, trySsn } from './scrub-numbers.mjs';
import { tryGluedHomePath, tryPath } from './scrub-paths.mjs';
import {
  startsTokenPrefix, tryAuthScheme, tryJwt, tryKeyValue, tryLongSecret, tryPemBlock, tryTokenPrefix,
} from './scrub-secrets.mjs';
import { LONGEST_REMEMBERED, Recent } from './recent.mjs';
import { utf8Length, utf8Prefix } from './text.mjs';

// Scan: one left-to-right pass. At each token start the rules that can start with the character
// there are tried, most specific first; the first that matches writes its placeholder and moves the
// scan past what it took. Each rule is a function of the scan: it reads s.s around s.i, and on a
// match writes with copy() and emit() and returns true.
export class Scan {
  constructor(text, tables) {
    this.s = text;
    this.t = tables;
    // The output, in pieces: joined once at the end, since reading the end of a string built by
    // appending would copy all of it each time (what the rules read back is its last few characters).
    this.pieces = [];
    this.i = 0; // the scan position
    this.begin = 0; // the range being scanned: [begin, limit)
    this.limit = 0;
    this.afterMatch = -1; // where the last match that wrote a placeholder ended
    this.inUrl = false;
    this.unwritten = -1; // where text read past, not yet written to out, starts
  }

  // range() scrubs s[begin, end) with the rules that apply there; inside a URL (inUrl) its host
  // and path are the URL's own: no nested URL, no file path.
  range(begin, end, inUrl) {
    this.flush();
    const saved = [this.begin, this.limit, this.inUrl];
    this.begin = begin;
    this.limit = end;
    this.inUrl = inUrl;
    this.i = begin;
    while (this.i < this.limit) {
      if (tryHere(this)) {
        // What follows a placeholder is glued to it, as a second pass will see it.
        const last = this.writtenTail(8);
        if (placeholderBefore(last, last.length)) this.afterMatch = this.i;
        continue;
      }
      if (this.unwritten < 0) this.unwritten = this.i;
      this.i++;
    }
    this.flush();
    [this.begin, this.limit, this.inUrl] = saved;
  }

  // Text the scan moved past is written when something else is about to be.
  flush() {
    if (this.unwritten < 0) return;
    if (this.i > this.unwritten) this.pieces.push(this.s.slice(this.unwritten, this.i));
    this.unwritten = -1;
  }

  // writtenTail() is the last `length` characters of the output so far (all of it when shorter),
  // for the rules that read what was written before them.
  writtenTail(length) {
    this.flush();
    let tail = '';
    for (let k = this.pieces.length - 1; k >= 0 && tail.length < length; k--) {
      const piece = this.pieces[k];
      tail = piece.slice(Math.max(0, piece.length - (length - tail.length))) + tail;
    }
    return tail;
  }

  // unwrite() takes the last `length` characters back from the output.
  unwrite(length) {
    this.flush();
    for (let left = length; left > 0;) {
      const piece = this.pieces.pop();
      if (piece.length > left) this.pieces.push(piece.slice(0, piece.length - left));
      left -= piece.length;
    }
  }

  append(text) {
    this.flush();
    if (text !== '') this.pieces.push(text);
  }

  // output() is all that was written.
  output() {
    this.flush();
    return this.pieces.join('');
  }

  // emit() writes a placeholder for s[i, end) and moves past it; it returns true for the caller.
  emit(placeholder, end) {
    this.append(placeholder);
    this.i = end;
    return true;
  }

  // copy() writes s[i, end) as it is and moves past it.
  copy(end) {
    this.append(this.s.slice(this.i, end));
    this.i = end;
  }

  at(pos) {
    return pos < this.limit && pos >= 0 ? this.s[pos] : '\0';
  }

  // end() clamps a run end of the tables (s.t.tokenEnd, …) to the range being scanned.
  end(table, pos) {
    return pos >= this.limit ? this.limit : Math.min(table[pos], this.limit);
  }

  matches(at, word) {
    return at <= this.limit && this.limit - at >= word.length && this.s.startsWith(word, at);
  }

  matchesIgnoreCase(at, lower) {
    return at <= this.limit && this.limit - at >= lower.length && startsWithIgnoreCase(this.s, at, lower);
  }

  // placeholderLengthAt() is the length of a placeholder at pos that ends within the range, or 0.
  placeholderLengthAt(pos) {
    const length = placeholderLength(this.s, pos);
    return pos + length <= this.limit ? length : 0;
  }

  // placeholderAt() is true when a placeholder, which stands for what a first pass found there,
  // starts at pos.
  placeholderAt(pos) {
    return this.at(pos) === '<' && this.placeholderLengthAt(pos) > 0;
  }

  // glued() is true when the character at pos continues a word, so nothing may end before it. A
  // placeholder counts as a word: it stands for what a match took, which a first pass saw there.
  glued(pos) {
    return isWord(this.at(pos)) || this.placeholderAt(pos);
  }

  // continues() is true when a separator at pos joins more of a number: a digit (of `digit`), or a
  // placeholder.
  continues(pos, separators, digit = isDigit) {
    const c = this.at(pos);
    return c !== '\0' && separators.includes(c) && (digit(this.at(pos + 1)) || this.placeholderAt(pos + 1));
  }

  // atTokenStart() is true when nothing glues the current character to the one before. What follows
  // a match (or a placeholder, in text scrubbed before) is glued to it.
  atTokenStart() {
    const { i } = this;
    if (i === this.begin) return true;
    if (isWord(this.s[i - 1]) || i === this.afterMatch) return false;
    return !placeholderBefore(this.s, i, this.begin);
  }

  // runStart() is true when pos begins a run of characters of inClass.
  runStart(pos, inClass) {
    return pos === this.begin || !inClass(this.s[pos - 1]);
  }
}

// tryHere() tries, in order, the rules that can start with this character.
function tryHere(s) {
  const c = s.s[s.i];
  if (isContinuation(c)) return false;
  // Inside a word, what names someone or opens an account whatever comes before it: an IPv4
  // address (ip_10.0.0.5), a home folder (1120/home/alice/…), an AWS key id (AWSAKIA…). After "_"
  // also provider tokens, JWTs and account numbers (key_ghp_…, card_4111…, tel_+44…).
  if (!s.atTokenStart()) {
    if (isDigit(c) && tryGluedIpv4(s)) return true;
    if (c === 'A' && tryTokenPrefix(s)) return true;
    if (s.s[s.i - 1] !== '_' || s.i === s.afterMatch) return (c === '/' || c === '\\') && !s.inUrl && tryGluedHomePath(s);
    if (c !== 'A' && startsTokenPrefix(c) && tryTokenPrefix(s)) return true;
    if (c === 'e' && tryJwt(s)) return true;
    if (isDigit(c) && (tryCard(s) || trySsn(s))) return true;
    if ((isDigit(c) || c === '+') && tryPhone(s)) return true;
    return isAlpha(c) && tryIban(s);
  }
  const alpha = isAlpha(c);
  const digit = isDigit(c);
  // Blocks and URLs first: they contain what the other rules look for.
  if ((c === '-' || c === 'P') && tryPemBlock(s)) return true;
  if (!s.inUrl && alpha && s.at(s.end(s.t.schemeEnd, s.i)) === ':' && tryUrl(s)) return true;
  if (s.at(s.end(s.t.localEnd, s.i)) === '@' && tryEmail(s)) return true;
  // Secrets named by a key, a scheme or their own prefix.
  if ((isTokenChar(c) || c === '"' || c === "'" || c === '<') && tryKeyValue(s)) return true;
  if (alpha && tryAuthScheme(s)) return true;
  if (startsTokenPrefix(c) && tryTokenPrefix(s)) return true;
  if (c === 'e' && tryJwt(s)) return true;
  // Places: file paths, machines, addresses.
  if (!s.inUrl && ('/~.\\%$'.includes(c) || (alpha && s.at(s.i + 1) === ':')) && tryPath(s, false)) return true;
  if (alpha && tryDeviceName(s)) return true;
  if (isAlnum(c) && tryHostName(s)) return true;
  if (isHex(c) && tryMac(s)) return true;
  if (digit && tryIpv4(s)) return true;
  if ((isHex(c) || c === ':') && tryIpv6(s)) return true;
  // Numbers that name a person or an account.
  if (digit && (tryCard(s) || trySsn(s))) return true;
  if ((digit || c === '+' || c === '(') && tryPhone(s)) return true;
  if (alpha && tryIban(s)) return true;
  // Last, what only looks random.
  return s.end(s.t.base64End, s.i) - s.i >= 32 && tryLongSecret(s);
}

function scan(text) {
  const s = new Scan(text, new Tables(text));
  s.range(0, text.length, false);
  return s.output();
}

// The window scrubbed: a little over twice what can be stored. Text past it is not read: it could
// only reach the stored result through a token longer than the window, which is cut anyway.
const windowFor = (maxBytes) => 2 * maxBytes + 1024;
const LONGEST_SECRET = 1024;
const LONGEST_GROUPED = 64;
const MAX_PASSES = 4;
const longerThan = (text, bytes) => text.length * 3 > bytes && utf8Length(text) > bytes;

// dropCutEnd() drops what the window's last 64 bytes began, back to a space: the window may have
// cut something in two (a card or an IBAN in groups, a phone number with spaces), and half a
// secret is still a secret. What is far longer than any secret is kept, and cut.
function dropCutEnd(scanned) {
  const bytes = utf8Length(scanned);
  let keep = utf8Prefix(scanned, Math.max(bytes - LONGEST_GROUPED, 0)).length;
  while (keep > 0 && !isSpace(scanned[keep - 1])) keep--;
  return bytes - utf8Length(scanned.slice(0, keep)) <= LONGEST_SECRET + LONGEST_GROUPED ? scanned.slice(0, keep) : scanned;
}

const recentResults = new Recent(16);

// scrubText() is the stored form of free text: scrubbed, then cut at maxBytes on a character
// boundary.
export function scrubText(text, maxBytes) {
  if (text.length > LONGEST_REMEMBERED) return scrubUncached(text, maxBytes);
  const key = `${maxBytes}\u0000${text}`;
  return recentResults.get(key) ?? recentResults.keep(key, scrubUncached(text, maxBytes));
}

function scrubUncached(text, maxBytes) {
  let cut = longerThan(text, windowFor(maxBytes));
  let out = scan(cut ? utf8Prefix(text, windowFor(maxBytes)) : text);
  if (cut) out = dropCutEnd(out);
  if (longerThan(out, maxBytes)) {
    out = utf8Prefix(out, maxBytes);
    cut = true;
  }
  // A cut can leave the start of something a rule matches ("G://" cut to "G:/" reads as a drive):
  // what is kept is scrubbed again until nothing changes, so scrubbing the result changes nothing.
  for (let pass = 0; cut && pass < MAX_PASSES; pass++) {
    const again = utf8Prefix(scan(out), maxBytes);
    if (again === out) break;
    out = again;
  }
  return out;
}

// changes() is true when scrubbing would replace anything in `text`, given room for every
// placeholder.
export const changes = (text) => scrubText(text, 2 * utf8Length(text) + 64) !== text;
