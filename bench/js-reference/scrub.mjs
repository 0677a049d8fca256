// scrub.mjs: free text scrubbed of paths, e-mails, addresses and secrets (docs/SCRUBBING.md),
// each replaced by a stable placeholder so the same error from many machines stays one message.
import { SCRUB, SCRUB_IN_URL } from './scrub-patterns.mjs';
import { utf8Length, utf8Prefix } from './text.mjs';

// Below these folders a path is library code, kept; so is a source file's name.
const PACKAGE_ROOTS = new Set(['site-packages', 'dist-packages', 'node_modules']);
const SOURCE_EXTENSIONS = new Set([
  '.py', '.pyx', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx', '.go', '.rs', '.java', '.kt', '.scala', '.rb', '.php',
  '.c', '.cc', '.cpp', '.cxx', '.h', '.hpp', '.cs', '.swift', '.m', '.mm', '.lua', '.pl', '.sh', '.r', '.jl', '.ex',
  '.exs', '.erl', '.hs', '.ml', '.dart', '.vue', '.svelte', '.ipynb',
]);

function isSourceFileName(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 && SOURCE_EXTENSIONS.has(name.slice(dot).toLowerCase());
}

// keptTail() is what survives of a path: everything below the last package folder (Go's is
// pkg/mod), else the file name when it is source code, else nothing.
function keptTail(path, separator) {
  for (let segmentEnd = path.length; segmentEnd > 0;) {
    const segmentStart = path.lastIndexOf(separator, segmentEnd - 1);
    if (segmentStart === -1) break;
    const segment = path.slice(segmentStart + 1, segmentEnd);
    const goModules = segment === 'mod' && segmentStart >= 4 && path.startsWith('/pkg', segmentStart - 4);
    if (PACKAGE_ROOTS.has(segment) || goModules) return path.slice(segmentEnd);
    segmentEnd = segmentStart;
  }
  const last = path.lastIndexOf(separator);
  const name = last === -1 ? path : path.slice(last);
  return isSourceFileName(name.slice(1)) ? name : '';
}

// A POSIX path does not take the sentence's closing '.' or ',' (unless nothing would be left).
function posixPathEnd(path) {
  let end = path.length;
  while (end > 0 && (path[end - 1] === '.' || path[end - 1] === ',')) end--;
  return end > 1 ? end : path.length;
}

// A URL's closing sentence punctuation is not part of it.
const URL_TRAILER = /[.,);]+$/;

// scrubUrl() keeps scheme, host and path, with credentials, addresses and e-mails in them
// replaced and the query and fragment dropped. It returns the replacement and how much of the
// match it covers.
function scrubUrl(url) {
  const authority = url.indexOf('://') + 3;
  const trailer = URL_TRAILER.exec(url.slice(authority));
  const end = trailer === null ? url.length : url.length - trailer[0].length;
  let hostEnd = authority;
  while (hostEnd < end && url[hostEnd] !== '/' && url[hostEnd] !== '?' && url[hostEnd] !== '#') hostEnd++;
  const at = url.lastIndexOf('@', hostEnd - 1);
  const host = at >= authority ? at + 1 : authority;
  let query = hostEnd;
  while (query < end && url[query] !== '?' && url[query] !== '#') query++;
  let out = url.slice(0, authority);
  if (host !== authority) out += '<secret>@';
  out += scan(url.slice(host, hostEnd), SCRUB_IN_URL) + scan(url.slice(hostEnd, query), SCRUB_IN_URL);
  if (query < end) out += `${url[query]}<query>`;
  return [out, end];
}

// A base64-looking run that holds '/' but no '+' or '=' padding is a secret only when its
// letters keep switching case, as random text does and CamelCase paths do not.
function looksRandom(run) {
  if (!run.includes('/') || run.includes('+') || run.endsWith('=')) return true;
  let letters = 0;
  let switches = 0;
  let previousUpper = null; // null: the previous character was no letter
  for (let i = 0; i < run.length; i++) {
    const unit = run.charCodeAt(i);
    const upper = unit >= 0x41 && unit <= 0x5a;
    if (!upper && !(unit >= 0x61 && unit <= 0x7a)) {
      previousUpper = null;
      continue;
    }
    letters++;
    if (previousUpper !== null && previousUpper !== upper) switches++;
    previousUpper = upper;
  }
  return switches * 4 >= letters;
}

// replacement() finishes a match: its placeholder text and how much of the match it covers, or
// null when the rule declines after all (the scan then moves one character on, like the core).
function replacement(match) {
  const rule = match.groups;
  const text = match[0];
  if (rule.url !== undefined) return scrubUrl(text);
  if (rule.keyValue !== undefined) return [`${rule.kvHead}${rule.kvQuote ?? ''}<secret>`, text.length];
  if (rule.authScheme !== undefined) return [`${rule.auth}<secret>`, text.length];
  if (rule.email !== undefined) return ['<email>', text.length];
  if (rule.posixPath !== undefined) {
    const end = posixPathEnd(text);
    return [`<path>${keptTail(text.slice(0, end), '/')}`, end];
  }
  if (rule.windowsPath !== undefined) return [`<path>${keptTail(text, rule.winSep ?? '\\')}`, text.length];
  if (rule.fileUrl !== undefined) {
    const path = text.indexOf('/', 7); // after "file://" and the host
    if (path === -1) return [text, text.length];
    const end = path + posixPathEnd(text.slice(path));
    return [`${text.slice(0, path)}<path>${keptTail(text.slice(path, end), '/')}`, end];
  }
  if (rule.ipv4 !== undefined || rule.ipv6 !== undefined) return ['<ip>', text.length];
  if (rule.longBase64 !== undefined && !looksRandom(text)) return null;
  return ['<secret>', text.length]; // PEM blocks, prefixed tokens, JWTs, long hex and base64
}

function scan(text, rules) {
  let out = '';
  let copied = 0;
  rules.lastIndex = 0;
  for (let match = rules.exec(text); match !== null; match = rules.exec(text)) {
    const replaced = replacement(match);
    if (replaced === null) {
      rules.lastIndex = match.index + 1;
      continue;
    }
    const [placeholder, length] = replaced;
    out += text.slice(copied, match.index) + placeholder;
    copied = match.index + length;
    // Set after replacement(): scrubbing a URL runs this scan on its parts with the same regex.
    rules.lastIndex = copied;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

// A window this much larger than what can be stored covers everything that can be kept, since
// placeholders only ever shorten text.
const windowFor = (maxBytes) => 2 * maxBytes + 1024;
const LONGEST_SECRET = 1024;
const isSpace = (unit) => unit === 0x20 || unit === 0x09 || unit === 0x0a || unit === 0x0d;

// scrubText() is the stored form of free text: scrubbed, then cut at maxBytes on a character
// boundary.
export function scrubText(text, maxBytes) {
  const window = windowFor(maxBytes);
  const cut = text.length * 3 > window && utf8Length(text) > window;
  let out = scan(cut ? utf8Prefix(text, window) : text, SCRUB);
  if (cut) {
    // The window may have cut a token in two, and half a secret is still a secret: drop the
    // last word, unless it is far longer than any secret.
    let keep = out.length;
    while (keep > 0 && !isSpace(out.charCodeAt(keep - 1))) keep--;
    if (utf8Length(out.slice(keep)) <= LONGEST_SECRET) out = out.slice(0, keep);
  }
  return utf8Prefix(out, maxBytes);
}
