// scrub.mjs: free text scrubbed of paths, e-mails, addresses, machines, account numbers and secrets
// (docs/SCRUBBING.md), each replaced by a stable placeholder so the same error from many machines
// stays one message. The rules' expressions are in scrub-patterns.mjs; here is the scan around them
// and what each match becomes.
import {
  isIssuedSsn, isLongSecret, isNotSecret, isPersonalHost, gluedAt, ibanLength, ipv4End, ipv6End, looksLikeCredential,
  looksLikeKey, passesLuhn, passesMod97, webhookSecretAt,
} from './scrub-checks.mjs';
import { gluedHomePath, tryPath } from './scrub-paths.mjs';
import { ARMOURED_KEY, PLACEHOLDER_AT_END, TEXT_RULES, URL_RULES } from './scrub-patterns.mjs';
import { utf8Length, utf8Prefix } from './text.mjs';

const replaced = (placeholder, match) => ({ end: match.index + match[0].length, out: placeholder });
const endsWithPlaceholder = (text) => text.endsWith('>') && PLACEHOLDER_AT_END.test(text.slice(-8));

// ---- URLs ---------------------------------------------------------------------------------------

// A URL's path: a webhook's secret part, or any segment that can only be a key, is <secret>; the
// rest is scrubbed like text (addresses, e-mails, tokens).
function scrubUrlPath(host, path) {
  const secret = webhookSecretAt(host, path);
  if (secret !== -1 && secret < path.length) return `${path.slice(0, secret)}<secret>`;
  return path.split('/').map((segment) => (looksLikeKey(segment) ? '<secret>' : scan(segment, URL_RULES))).join('/');
}

// scheme://[credentials@]host[:port][/path][?query][#fragment]: credentials go, the host and path
// are scrubbed, the query and fragment dropped.
function url(match, text) {
  const at = match.index;
  const authority = at + match[0].indexOf('://') + 3;
  if (authority - at === 7 && /^file/i.test(match[0])) {
    // file://[host]/home/alice/x.py is a path, whatever its scheme and host.
    let path = authority;
    while (path < text.length && /[A-Za-z0-9._~+@%=,\u0080-\uffff-]/.test(text[path])) path++;
    const found = tryPath(text, path, true);
    return found === null ? { end: path, out: text.slice(at, path) } : { end: found.end, out: text.slice(at, path) + found.out };
  }
  let end = at + match[0].length;
  while (end > authority && '.,);'.includes(text[end - 1])) end--; // a sentence's closing punctuation
  let hostEnd = authority;
  while (hostEnd < end && !'/?#'.includes(text[hostEnd])) hostEnd++;
  const credentials = text.lastIndexOf('@', hostEnd - 1);
  const host = credentials >= authority ? credentials + 1 : authority;
  let query = hostEnd;
  while (query < end && text[query] !== '?' && text[query] !== '#') query++;
  const hostName = text.slice(host, hostEnd);
  let out = text.slice(at, authority) + (host === authority ? '' : '<secret>@');
  out += scan(hostName, URL_RULES) + scrubUrlPath(hostName, text.slice(hostEnd, query));
  // An empty query ("…/page#" before "<query>" left by a first pass) has nothing to replace.
  if (query < end) out += query + 1 < end ? `${text[query]}<query>` : text[query];
  return { end, out };
}

// ---- e-mails -----------------------------------------------------------------------------------

// A top-level domain is letters (ASCII or not), or punycode, of two bytes or more (テ is three).
const TOP_LEVEL_DOMAIN = /^(?:[A-Za-z\u0080-\uffff]+|[Xx][Nn]--.*)$/s;

// local@domain: at a top-level domain, localhost, an address, or a personal machine (a shell
// prompt's jane@jane-ThinkPad); not an image at 2x (logo@2x.png).
function email(match, text) {
  const domain = match.groups.emailDomain;
  if (domain === undefined) return replaced('<email>', match); // an address literal: user@[10.0.0.1]
  const start = match.index + match[0].length - domain.length;
  let end = start + domain.length;
  if (gluedAt(text, end)) return null; // the domain runs on into what a first pass replaced
  while (end > start && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  const name = text.slice(start, end);
  if (name === '') return null;
  const found = { end, out: '<email>' };
  if (/^localhost$/i.test(name) || ipv4End(text, start) === end || isPersonalHost(name)) return found;
  const dot = name.lastIndexOf('.');
  const topLevel = name.slice(dot + 1);
  if (dot <= 0 || utf8Length(topLevel) < 2 || !TOP_LEVEL_DOMAIN.test(topLevel) || /^\d\d?x/.test(name)) return null;
  return found;
}

// ---- key = value --------------------------------------------------------------------------------

// Keys whose value runs to the end of the line: a header holds a scheme and a credential, or many
// cookies, and all of it goes; the scheme word stays.
const LINE_KEYS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const AUTH_SCHEMES = ['bearer ', 'basic ', 'token '];
// A value: quoted (escaped quotes do not end it), an element's text, a header line, or a word.
const QUOTED_VALUE = { '"': /(?:\\[^\n]|[^"\n\\]|\\)*/y, "'": /(?:\\[^\n]|[^'\n\\]|\\)*/y };
const ELEMENT_VALUE = /[^<\n]*/y;
const LINE_VALUE = /[^\n\r]*/y;
const WORD_VALUE = /[^ \t\n\r&,;})\]"']*/y;
const ARMOURED_VALUE = new RegExp(ARMOURED_KEY, 'y');

const valueEnd = (pattern, text, at) => {
  pattern.lastIndex = at;
  pattern.test(text);
  return pattern.lastIndex;
};

// The key and its separator stay, the value goes: password=<secret>, "token": "<secret>".
function keyValue(match, text) {
  const { kvTag, kvQuotedKey, kvKey, kvFlagKey, kvProse } = match.groups;
  const key = kvTag ?? kvQuotedKey ?? kvKey ?? kvFlagKey;
  const element = kvTag !== undefined;
  let start = match.index + match[0].length;
  const quote = text[start] === '"' || text[start] === "'" ? text[start] : '';
  if (quote !== '') start++;
  const wholeLine = LINE_KEYS.has(key.toLowerCase());
  let end = valueEnd(quote !== '' ? QUOTED_VALUE[quote] : element ? ELEMENT_VALUE : wholeLine ? LINE_VALUE : WORD_VALUE, text, start);
  if (end === start) return null;
  // A private key as the value: the whole block goes, not its first line.
  if (text.startsWith('-----BEGIN', start) || text.startsWith('---- BEGIN SSH2', start)) end = valueEnd(ARMOURED_VALUE, text, start);
  if (kvProse !== undefined && isNotSecret(text.slice(start, end))) return null;
  if (wholeLine) {
    for (const scheme of AUTH_SCHEMES) {
      if (text.slice(start, start + scheme.length).toLowerCase() === scheme && start + scheme.length < end) start += scheme.length;
    }
  }
  // An element's value counts only with its closing tag, so "<secret>" left by another rule is
  // never read as an element named secret.
  if (element && !text.startsWith(`</${key}>`, end)) return null;
  return { end, out: `${text.slice(match.index, start)}<secret>` };
}

// ---- the rules ---------------------------------------------------------------------------------

// finish() turns a rule's match into its replacement ({ end, out }), or null when the rule
// declines after all. `written` is the output so far.
const FINISH = {
  pem: (match) => replaced('<secret>', match),
  url,
  email,
  keyValue,
  authScheme: (match) => (looksLikeCredential(match.groups.authCredential)
    ? { end: match.index + match[0].length, out: `${match.groups.authWord}<secret>` } : null),
  token: (match) => replaced('<secret>', match),
  jwt: (match) => replaced('<secret>', match),
  path: (match, text) => tryPath(text, match.index, false),
  deviceName: (match) => replaced('<host>', match),
  hostName: (match) => {
    const name = match[0].replace(/[.-]+$/, ''); // sentence punctuation
    return isPersonalHost(name) ? { end: match.index + name.length, out: '<host>' } : null;
  },
  mac: (match) => replaced('<mac>', match),
  // .NET assembly identities write their version as four numbers: Version=4.0.0.0. The word is
  // read from what was written, so a second pass sees what the first did.
  ipv4: (match, text, written) => (/version[= ]$/i.test(written().slice(-8)) ? null : replaced('<ip>', match)),
  ipv6: (match, text) => {
    const end = ipv6End(text, match.index);
    return end === -1 ? null : { end, out: '<ip>' };
  },
  card: (match) => {
    const digits = match[0].replace(/[ .-]/g, '');
    const card = digits.length >= 13 && digits.length <= 19 && /^[2-6]/.test(digits) && !/^.0+$/.test(digits) && passesLuhn(digits);
    return card ? replaced('<card>', match) : null;
  },
  ssn: (match) => (isIssuedSsn(match[0]) ? replaced('<ssn>', match) : null),
  phone: (match) => {
    // With a country code: 8 to 15 digits (E.164); North American numbers are checked by shape.
    const digits = match[0].replace(/\D/g, '').length;
    return match[0][0] !== '+' || (digits >= 8 && digits <= 15) ? replaced('<phone>', match) : null;
  },
  iban: (match, text) => {
    // Exactly the country's length, then no more of the word.
    const length = ibanLength(match[0].slice(0, 2));
    const iban = match[0].replaceAll(' ', '').slice(0, length);
    if (length === 0 || iban.length < length) return null;
    let end = match.index;
    for (let count = 0; count < length; end++) if (text[end] !== ' ') count++;
    return gluedAt(text, end) || !passesMod97(iban.toUpperCase()) ? null : { end, out: '<iban>' };
  },
  longSecret: (match) => (isLongSecret(match[0]) ? replaced('<secret>', match) : null),
  gluedIpv4: (match) => replaced('<ip>', match),
  gluedHome: (match, text) => gluedHomePath(text, match.index),
};

// ---- the scan -----------------------------------------------------------------------------------

const isWordChar = (c) => /[A-Za-z0-9_]/.test(c);

// A token starts anywhere but right after a word character, a match, or a placeholder in the text
// (what follows is glued to it, as it was to what it replaced: scrubbing scrubbed text changes
// nothing).
function isTokenStart(text, at, afterMatch) {
  if (at === 0) return true;
  if (isWordChar(text[at - 1]) || at === afterMatch) return false;
  return !(text[at - 1] === '>' && PLACEHOLDER_AT_END.test(text.slice(Math.max(0, at - 8), at)));
}

// replacementAt() is what the rules make of text[at…]: the search found the first rule that may
// apply there; when it declines, the rules after it are tried alone at the same place. Glued rules
// apply only where no token starts, the others only where one does.
function replacementAt(match, text, rules, tokenStart, written) {
  const at = match.index;
  for (let k = rules.findIndex((rule) => match.groups[rule.name] !== undefined); k < rules.length; k++) {
    const rule = rules[k];
    if (rule.glued === tokenStart) continue;
    rule.alone.lastIndex = at;
    const own = match.groups[rule.name] !== undefined ? match : rule.alone.exec(text);
    const found = own === null ? null : FINISH[rule.name](own, text, written);
    if (found !== null) return found;
  }
  return null;
}

function scan(text, { search, rules }) {
  let out = '';
  let copied = 0;
  let afterMatch = -1;
  search.lastIndex = 0;
  for (let match = search.exec(text); match !== null; match = search.exec(text)) {
    const at = match.index;
    const written = () => out + text.slice(copied, at);
    const found = replacementAt(match, text, rules, isTokenStart(text, at, afterMatch), written);
    if (found === null) {
      search.lastIndex = at + 1;
      continue;
    }
    out += text.slice(copied, at) + found.out;
    copied = found.end;
    if (endsWithPlaceholder(found.out)) afterMatch = copied;
    search.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// A window this much larger than what can be stored covers everything that can be kept, since
// text beyond it could only reach the result through a token longer than the window.
const windowFor = (maxBytes) => 2 * maxBytes + 1024;
const LONGEST_SECRET = 1024;
const MAX_PASSES = 4;
const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const longerThan = (text, bytes) => text.length * 3 > bytes && utf8Length(text) > bytes;

// scrubText() is the stored form of free text: scrubbed, then cut at maxBytes on a character
// boundary.
export function scrubText(text, maxBytes) {
  const window = windowFor(maxBytes);
  let cut = longerThan(text, window);
  let out = scan(cut ? utf8Prefix(text, window) : text, TEXT_RULES);
  if (cut) {
    // The window may have cut a token in two, and half a secret is still a secret: drop the
    // last word, unless it is far longer than any secret.
    let keep = out.length;
    while (keep > 0 && !isSpace(out[keep - 1])) keep--;
    if (utf8Length(out.slice(keep)) <= LONGEST_SECRET) out = out.slice(0, keep);
  }
  if (longerThan(out, maxBytes)) {
    out = utf8Prefix(out, maxBytes);
    cut = true;
  }
  // A cut can leave the start of something a rule matches ("G://" cut to "G:/" reads as a drive):
  // what is kept is scrubbed again until nothing changes.
  for (let pass = 0; cut && pass < MAX_PASSES; pass++) {
    const again = utf8Prefix(scan(out, TEXT_RULES), maxBytes);
    if (again === out) break;
    out = again;
  }
  return out;
}

// changes() is true when scrubbing would replace anything in `text`: a value stored exactly as sent
// (a version, a map key, a model id, a column) is refused or replaced whole when it does.
export const changes = (text) => scan(text, TEXT_RULES) !== text;
