// scrub-patterns.mjs: the scrubbing rules of docs/SCRUBBING.md as one regular expression.
//
// Each rule is a named alternative, in the order the rules are tried (the most specific first).
// A global regex tries its alternatives in order at each position, leftmost first, which is
// exactly "at each token start, the first rule that matches wins". Rules that must rewrite part
// of their match (URLs, key=value, paths) are finished by scrub.mjs.

// A match starts only at a token start: not right after an ASCII letter, digit or '_'.
const TOKEN_START = String.raw`(?<![A-Za-z0-9_])`;

// Non-ASCII punctuation and spaces (Latin-1 signs, general punctuation, CJK and full-width
// punctuation) end a path like ASCII punctuation does.
const PUNCTUATION = String.raw`\u00a0-\u00bf\u2000-\u207f\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65`;
const NON_ASCII_TEXT = String.raw`\u0080-\u009f\u00c0-\u1fff\u2080-\u2fff\u3040-\ufeff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uffff`;

const TOKEN = '[A-Za-z0-9_-]';
const BASE64 = '[A-Za-z0-9_+/=-]';

// ---- secrets in blocks and URLs ---------------------------------------------------------------

const PEM = String.raw`-----BEGIN[\s\S]*?(?:-----END[\s\S]*?-----|$)`;

// file://[host]/path: the path is a path whatever the host (finished in scrub.mjs).
const POSIX_CHAR = `[A-Za-z0-9/._~+@%=,${NON_ASCII_TEXT}-]`;
const POSIX_CHAR_NOT_SLASH = `[A-Za-z0-9._~+@%=,${NON_ASCII_TEXT}-]`;
// In a home folder a space may sit inside a name (/Users/Jane Doe/…): it does when another '/'
// follows within 256 characters of path text.
const HOME_SPACE = String.raw` (?=[ A-Za-z0-9/._~+@%=,\u0080-\uffff-]{0,255}/)`;
const HOME_TAIL = `(?:Users|home)/${POSIX_CHAR}*(?:${HOME_SPACE}${POSIX_CHAR}*)*`;
const FILE_URL = String.raw`[Ff][Ii][Ll][Ee]://[A-Za-z0-9._~+@%=,\u0080-\uffff-]*(?:/${HOME_TAIL}|/${POSIX_CHAR}*)?`;

const URL = String.raw`[A-Za-z][A-Za-z0-9+.-]*://[^ \t\n\r"'<>\x60]*`;

const EMAIL = String.raw`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+?\.[A-Za-z]{2,}(?=[.-]*(?![A-Za-z0-9.-]))`;

// ---- key=value secrets ------------------------------------------------------------------------

const SECRET_KEYS = [
  'password', 'passwd', 'pwd', 'pass', 'token', 'secret', 'api_key', 'apikey', 'api-key', 'access_key',
  'access_token', 'refresh_token', 'auth', 'auth_token', 'client_secret', 'private_key', 'secret_key',
  'session_token', 'x-api-key', 'pgpassword',
];
const caseless = (word) => word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
const SECRET_NAME = SECRET_KEYS.map(caseless).join('|');
const CAMEL_SECRET_NAME = SECRET_KEYS.map((key) => key[0].toUpperCase() + caseless(key.slice(1))).join('|');
// A key is secret when it is a secret name, or ends in one after '_', '-' or a camelCase step
// (db_password, GITHUB_TOKEN, clientSecret); the name must end the key.
const SECRET_KEY = `(?:(?:${TOKEN}*[_-])?(?:${SECRET_NAME})|${TOKEN}*[a-z](?:${CAMEL_SECRET_NAME}))(?!${TOKEN})`;
// key=value, key: value, "key": "value", key => value, --key value. The head (key and
// separator, and the value's opening quote) stays; the value goes.
const KEY_VALUE =
  String.raw`(?<kvHead>(?:(?<kq>["'])${SECRET_KEY}\k<kq>?|${SECRET_KEY}) *[=:]>? *|(?<=--)${SECRET_KEY} +)` +
  String.raw`(?:(?<kvQuote>["'])(?:\\[\s\S]|\\$|(?!\k<kvQuote>)[^\n\\])+|[^ \t\n\r&,;})"']+)`;

// "Bearer …", "Basic …": a credential has a digit or padding, or is long and mixed case, so
// "Basic configuration" stays text.
const AUTH_SCHEME =
  `(?<auth>[Bb][Ee][Aa][Rr][Ee][Rr] |[Bb][Aa][Ss][Ii][Cc] )(?=${BASE64}{8})` +
  `(?:(?=${BASE64}*[0-9=])|(?=${BASE64}{16})(?=${BASE64}*[A-Z])(?=${BASE64}*[a-z]))${BASE64}+`;

// Tokens known by their prefix, with the characters each needs after it.
const TOKEN_PREFIX = [
  `(?:sk-|sk_live_|sk_test_|rk_live_|glpat-)${TOKEN}{16,}`,
  `(?:gh[pousr]_|github_pat_)${TOKEN}{20,}`,
  `xox[bpars]-${TOKEN}{10,}`,
  `(?:npm_|hf_|AIza)${TOKEN}{30,}`,
  `(?:AKIA|ASIA)[A-Z0-9]{16}${TOKEN}*`,
].join('|');

const JWT = String.raw`eyJ${TOKEN}+\.${TOKEN}{4,}\.${TOKEN}*`;

// ---- paths ------------------------------------------------------------------------------------

// Windows segments stop at what Windows forbids in names, and at quotes; a space continues the
// path when a separator follows within 256 characters.
const WINDOWS_FORBIDDEN = String.raw`\t\n\r"'<>|*?:,;()\[\]\0`;
const WINDOWS_CHAR = `[^ ${WINDOWS_FORBIDDEN}${PUNCTUATION}]`;
const WINDOWS_AHEAD = `[^${WINDOWS_FORBIDDEN}]{0,255}`;
const WINDOWS_PATH =
  String.raw`[A-Za-z]:(?<winSep>[\\/])(?:${WINDOWS_CHAR}| (?=${WINDOWS_AHEAD}\k<winSep>))*` +
  String.raw`|\\\\(?=[^ ${WINDOWS_FORBIDDEN}])(?:${WINDOWS_CHAR}| (?=${WINDOWS_AHEAD}\\))*`;

// POSIX paths need two segments (/a/b, ./a/b, ../a/b) or a home prefix (~/a, ~user/a); "//" and
// "./" inside other text start none. Trailing sentence punctuation is dropped in scrub.mjs.
const POSIX_PATH =
  `(?<![/.])/(?:${HOME_TAIL}|(?=${POSIX_CHAR_NOT_SLASH})(?=${POSIX_CHAR}*/)${POSIX_CHAR}*)` +
  String.raw`|\.\.?/(?=${POSIX_CHAR}*/)${POSIX_CHAR}*` +
  `|~(?=${POSIX_CHAR}*/)${POSIX_CHAR}*`;

// ---- addresses and long random strings --------------------------------------------------------

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)`;
const IPV4_ADDRESS = String.raw`${OCTET}(?:\.${OCTET}){3}`;
// Not inside a longer dotted number (a five-part version) nor a word.
const IPV4 = String.raw`(?<!\.)${IPV4_ADDRESS}(?![A-Za-z0-9_]|\.\d)`;

const GROUP = '[0-9A-Fa-f]{1,4}';
const IPV6_FORMS = [
  `(?:${GROUP}:){7}${GROUP}`,
  `(?:${GROUP}:){1,7}:`,
  `(?:${GROUP}:){1,6}:${GROUP}`,
  `(?:${GROUP}:){1,5}(?::${GROUP}){1,2}`,
  `(?:${GROUP}:){1,4}(?::${GROUP}){1,3}`,
  `(?:${GROUP}:){1,3}(?::${GROUP}){1,4}`,
  `(?:${GROUP}:){1,2}(?::${GROUP}){1,5}`,
  `${GROUP}:(?::${GROUP}){1,6}`,
  `:(?::${GROUP}){1,7}`,
].join('|');
const IPV6_WITH_IPV4 = `(?:${GROUP}:){6}${IPV4_ADDRESS}|(?:${GROUP}(?::${GROUP}){0,4})?::(?:${GROUP}:){0,4}${IPV4_ADDRESS}`;
// The whole address or nothing (no more groups may follow), with a decimal digit somewhere, so
// C++ scopes (std::vector), dead::beef and times of day (12:30:45) stay text.
const IPV6 =
  String.raw`(?<!:)(?:(?:${IPV6_FORMS})(?![A-Za-z0-9_.]|:[0-9A-Fa-f:])(?<=\d[0-9A-Fa-f:]*)` +
  `|(?:${IPV6_WITH_IPV4})(?![A-Za-z0-9_]))`;

// 32+ hex digits with a digit among them.
const LONG_HEX = String.raw`(?=[0-9A-Fa-f]{32,}(?!${BASE64}))(?=[A-Fa-f]*\d)[0-9A-Fa-f]+`;
// 40+ base64 characters mixing upper case, lower case and digits (scrub.mjs also weighs how
// often the case switches when the run holds '/').
const LONG_BASE64 = String.raw`(?=${BASE64}{40})(?=${BASE64}*\d)(?=${BASE64}*[A-Z])(?=${BASE64}*[a-z])${BASE64}+`;

const rules = (withPaths) => [
  `(?<pem>${PEM})`,
  `(?<fileUrl>${FILE_URL})`,
  `(?<url>${URL})`,
  `(?<email>${EMAIL})`,
  `(?<keyValue>${KEY_VALUE})`,
  `(?<authScheme>${AUTH_SCHEME})`,
  `(?<token>${TOKEN_PREFIX})`,
  `(?<jwt>${JWT})`,
  ...(withPaths ? [`(?<windowsPath>${WINDOWS_PATH})`, `(?<posixPath>${POSIX_PATH})`] : []),
  `(?<ipv4>${IPV4})`,
  `(?<ipv6>${IPV6})`,
  `(?<longHex>${LONG_HEX})`,
  `(?<longBase64>${LONG_BASE64})`,
].join('|');

// SCRUB scans free text; SCRUB_IN_URL a URL's host and path, where paths are the URL's own.
export const SCRUB = new RegExp(`${TOKEN_START}(?:${rules(true)})`, 'g');
export const SCRUB_IN_URL = new RegExp(`${TOKEN_START}(?:${rules(false)})`, 'g');
