// scrub-patterns.mjs: the scrubbing rules of docs/SCRUBBING.md as regular expressions, in the order
// the core tries them (wasm/src/scrub/scan.cpp).
//
// A global regex tries its alternatives in order at each position, leftmost first, which is "at
// each token start, the first rule that matches wins". What an expression cannot say (checksums,
// where a path ends, words that are no secret) scrub.mjs checks on the match, and when it
// declines, the rules after it are tried at the same place.

const PLACEHOLDERS = ['path', 'email', 'ip', 'mac', 'host', 'secret', 'query', 'card', 'iban', 'ssn', 'phone'];
const PLACEHOLDER = `<(?:${PLACEHOLDERS.join('|')})>`;
export const PLACEHOLDER_AT = new RegExp(PLACEHOLDER, 'y');
export const PLACEHOLDER_AT_END = new RegExp(`${PLACEHOLDER}$`);

// A match starts only at a token start: not right after an ASCII letter, digit or '_', nor inside
// a character (the second half of a surrogate pair). scrub.mjs also rules out the place right
// after a match or a placeholder.
const WORD = '[A-Za-z0-9_]';
const TOKEN_START = `(?<!${WORD})(?![\\udc00-\\udfff])`;
// What may not follow a match that must end a word: a word character, or a placeholder (it stands
// for what a first pass replaced there, which was glued to the match).
const GLUED = `(?:${WORD}|${PLACEHOLDER})`;
export const GLUED_AT = new RegExp(GLUED, 'y');

// Non-ASCII punctuation and spaces (Latin-1 signs, general punctuation, CJK and full-width
// punctuation) end paths like ASCII punctuation does; other non-ASCII characters are letters.
export const PUNCTUATION = String.raw`\u00a0-\u00bf\u2000-\u207f\u3000-\u303f\uff00-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65`;
export const NON_ASCII_LETTER = String.raw`\u0080-\u009f\u00c0-\u1fff\u2080-\u2fff\u3040-\ufeff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uffff`;

const TOKEN = '[A-Za-z0-9_-]';
const HEX = '[0-9A-Fa-f]';
const caseless = (word) => word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
const escape = (text) => text.replace(/[.+]/g, '\\$&');

// ---- secrets in blocks ------------------------------------------------------------------------

// Armoured private keys close on their END line; one that never closes runs to the end.
export const ARMOURED_KEY = String.raw`-----BEGIN[\s\S]*?(?:-----END[^\n]*?-----|-----END[^\n]*|$)|---- BEGIN SSH2[\s\S]*?(?:---- END[^\n]*?----|---- END[^\n]*|$)`;
const PUTTY_KEY = String.raw`PuTTY-User-Key-File-[\s\S]*?(?:Private-MAC:[^\n]*|$)`;

// ---- URLs and e-mails -------------------------------------------------------------------------

// A placeholder inside a URL is part of it (a second pass reads what the first wrote).
const URL = String.raw`[A-Za-z][A-Za-z0-9+.-]*://(?:${PLACEHOLDER}|[^ \t\n\r"'<>\x60])*`;
// The domain is checked in scrub.mjs: top-level domain, localhost, addresses, machines.
const EMAIL = String.raw`[A-Za-z0-9._%+${NON_ASCII_LETTER}-]+@(?:\[[0-9A-Fa-f:.]{2,47}\]|(?<emailDomain>[A-Za-z0-9.${NON_ASCII_LETTER}-]+))`;

// ---- key = value -------------------------------------------------------------------------------

// Sentry Relay's password rule: names whose value is a secret, as the whole key or its last part
// after '_', '-' or a camelCase step (db_password, GITHUB_TOKEN, clientSecret, SharedAccessKey).
const SECRET_KEYS = [
  'password', 'passwd', 'pwd', 'pass', 'passphrase', 'passcode', 'token', 'secret', 'api_key', 'apikey',
  'api-key', 'access_key', 'accesskey', 'access_token', 'refresh_token', 'id_token', 'auth', 'auth_token',
  'authorization', 'client_secret', 'private_key', 'privatekey', 'secret_key', 'session_token', 'x-api-key',
  'pgpassword', 'credential', 'credentials', 'creds', 'account_key', 'accountkey', 'cookie', 'otp',
];
// public_key, publicKeyToken and public_token name what anyone may see.
const SECRET_KEY =
  `(?![Pp][Uu][Bb][Ll][Ii][Cc][_A-Z-])(?:${TOKEN}*(?:[_-]|[a-z](?=[A-Z])))?(?:${SECRET_KEYS.map(caseless).join('|')})(?!${TOKEN})`;
// The key and what joins it to its value: <key>…, "key": …, key = …, key := …, key => …, key is …,
// --key …. scrub.mjs reads the value.
const KEY_VALUE =
  `<(?<kvTag>${SECRET_KEY})>` +
  String.raw`|(?<kvKeyQuote>["'])(?<kvQuotedKey>${SECRET_KEY})\k<kvKeyQuote>? *[=:][>=]? *` +
  `|(?<kvKey>${SECRET_KEY})(?: *[=:][>=]? *|(?<kvProse> +[Ii][Ss](?: |: ) *))` +
  `|(?<=--)(?<kvFlagKey>${SECRET_KEY}) +`;

// "Bearer …", "Basic …", "Token …": scrub.mjs checks that the credential looks like one.
const AUTH_SCHEME = String.raw`(?<authWord>[Bb][Ee][Aa][Rr][Ee][Rr] |[Bb][Aa][Ss][Ii][Cc] |[Tt][Oo][Kk][Ee][Nn] )(?<authCredential>[A-Za-z0-9_.~+/-]*=*)`;

// ---- provider tokens ---------------------------------------------------------------------------

// Prefixes as providers issue them (gitleaks, GitHub secret scanning), the characters each needs
// after it, and of which kind: token [A-Za-z0-9_-] (padding '=' included), dotted (also '.'),
// upper [A-Z0-9] and hex, which must end a word.
const BODIES = { token: `${TOKEN}`, dotted: '[A-Za-z0-9_.-]', upper: '[A-Z0-9]', hex: HEX };
const TOKEN_PREFIXES = [
  ['sk-', 16, 'token'], ['sk_live_', 16, 'token'], ['sk_test_', 16, 'token'], ['sk_prod_', 16, 'token'],
  ['rk_live_', 16, 'token'], ['rk_test_', 16, 'token'], ['rk_prod_', 16, 'token'], ['whsec_', 24, 'token'],
  ['ghp_', 20, 'token'], ['gho_', 20, 'token'], ['ghu_', 20, 'token'], ['ghs_', 20, 'token'], ['ghr_', 20, 'token'],
  ['github_pat_', 20, 'token'],
  ['glpat-', 16, 'token'], ['gldt-', 16, 'token'], ['glrt-', 16, 'token'], ['glptt-', 16, 'token'], ['glsoat-', 16, 'token'],
  ['glcbt-', 16, 'token'], ['glimt-', 16, 'token'], ['glft-', 16, 'token'], ['glffct-', 16, 'token'], ['glagent-', 16, 'token'],
  ['gloas-', 16, 'token'], ['GR1348941', 16, 'token'],
  ['xoxb-', 10, 'token'], ['xoxp-', 10, 'token'], ['xoxa-', 10, 'token'], ['xoxr-', 10, 'token'], ['xoxs-', 10, 'token'],
  ['xoxo-', 10, 'token'], ['xoxe-', 10, 'token'], ['xoxe.xoxp-', 10, 'token'], ['xapp-', 10, 'token'],
  ['AIza', 30, 'token'], ['ya29.', 20, 'dotted'], ['GOCSPX-', 20, 'token'],
  ['hf_', 30, 'token'], ['api_org_', 30, 'token'], ['npm_', 30, 'token'], ['pypi-AgEIcHlwaS5vcmc', 20, 'token'],
  ['AKIA', 16, 'upper'], ['ASIA', 16, 'upper'], ['ABIA', 16, 'upper'], ['ACCA', 16, 'upper'],
  ['SG.', 20, 'dotted'], ['SK', 32, 'hex'],
  ['shpat_', 32, 'hex'], ['shpca_', 32, 'hex'], ['shppa_', 32, 'hex'], ['shpss_', 32, 'hex'],
  ['dckr_pat_', 20, 'token'], ['dckr_oat_', 20, 'token'],
  ['dop_v1_', 64, 'hex'], ['doo_v1_', 64, 'hex'], ['dor_v1_', 64, 'hex'],
  ['dapi', 32, 'hex'], ['lin_api_', 32, 'token'], ['PMAK-', 24, 'token'], ['sntrys_', 30, 'token'], ['sntryu_', 32, 'hex'],
  ['key-', 32, 'hex'], ['hvs.', 24, 'token'], ['hvb.', 24, 'token'], ['glsa_', 32, 'token'], ['glc_', 32, 'token'],
  ['NRAK-', 20, 'token'], ['HRKU-', 20, 'token'], ['pplx-', 40, 'token'], ['rubygems_', 40, 'hex'], ['ATATT3', 40, 'token'],
  ['AGE-SECRET-KEY-1', 30, 'upper'],
];
const TOKEN_PREFIX = TOKEN_PREFIXES.map(([prefix, min, body]) => {
  const rest = `${escape(prefix)}${BODIES[body]}{${min},}`;
  if (body === 'token') return `${rest}=*`;
  return body === 'dotted' ? rest : `${rest}(?!${GLUED})`;
}).join('|');

const JWT = String.raw`eyJ${TOKEN}+\.${TOKEN}{4,}\.${TOKEN}*`;

// ---- paths -------------------------------------------------------------------------------------

// Where a path may start; scrub-paths.mjs reads how far it goes. A drive letter is not the end of
// a file name; "//" and "./" inside other text start no path; an environment variable names a
// folder only when a separator follows it.
const PATH = String.raw`(?<![./\\])[A-Za-z]:[\\/]|\\\\[^ \t\n\r"'<>|*?:,;()\[\]]` +
  String.raw`|%[A-Za-z_]|\$\{?(?:[Ee][Nn][Vv]:)?[A-Za-z_]|(?<![/.])/|\.\.?/|~`;
// A home folder inside a longer word or path (x/home/alice/…), written as the systems write it.
const GLUED_HOME = String.raw`(?<gluedHomeSeparator>[/\\])(?:home|Users)\k<gluedHomeSeparator>`;

// ---- machines and addresses --------------------------------------------------------------------

// "Jane's MacBook Pro": macOS names a machine after its owner.
const DEVICES = ['macbook pro', 'macbook air', 'macbook', 'imac', 'mac mini', 'mac studio', 'mac pro', 'iphone', 'ipad'];
const DEVICE_NAME = `[A-Za-z]${TOKEN}*(?:'|\u2019)[Ss] (?:${DEVICES.map(caseless).join('|')})(?!${GLUED})`;
// A run of host-name characters that may name a personal machine (a local suffix, a Windows
// default name, an owner then a model); scrub-checks.mjs decides.
const HOST_NAME = `(?<![A-Za-z0-9._-])(?=(?:DESKTOP|LAPTOP)-|[A-Za-z0-9._-]*?(?:\\.(?:${['local', 'lan', 'home'].map(caseless).join('|')})` +
  `|-(?:${['mac', 'mbp', 'imac', 'iphone', 'ipad', 'thinkpad'].map(caseless).join('|')})))[A-Za-z0-9][A-Za-z0-9._-]*`;

// EUI-48 and EUI-64 in colons or dashes, and Cisco's dotted form; not the middle of a longer run.
const HEX_PAIR = `${HEX}{2}(?!${HEX})`;
const MAC = `(?<!(?:${HEX}|${PLACEHOLDER})[:.-])(?:` +
  String.raw`${HEX}{2}(?<macSeparator>[:-])${HEX_PAIR}(?:\k<macSeparator>${HEX_PAIR}){4}(?:\k<macSeparator>${HEX_PAIR}\k<macSeparator>${HEX_PAIR})?` +
  String.raw`(?!${GLUED}|\k<macSeparator>(?:${HEX}|${PLACEHOLDER}))` +
  String.raw`|${HEX}{4}\.${HEX}{4}\.${HEX}{4}(?!${GLUED}|\.(?:${HEX}|${PLACEHOLDER})))`;

// IPv4 as inet_aton reads it too: leading zeros, 0x octets. Not part of a longer dotted number (a
// five-part version, an OID) nor of a word.
const OCTET = String.raw`(?:0[xX]${HEX}{1,2}(?!${HEX})|(?:25[0-5]|2[0-4]\d|[01]?\d?\d)(?!\d))`;
const IPV4 = String.raw`${OCTET}(?:\.${OCTET}){3}(?!${GLUED}|\.(?:\d|${PLACEHOLDER}))`;
export const IPV4_AT = new RegExp(IPV4, 'y');
// After a word (ip_10.0.0.5) but not a digit, nor a lone "v" (v1.2.3.4 is a version).
const GLUED_IPV4 = String.raw`(?<!\d)(?<!(?<!${WORD})[vV])${IPV4}`;
// Where an IPv6 address may start; scrub-checks.mjs reads its groups.
const IPV6 = `(?<!:)${HEX}{0,4}:`;

// ---- numbers that name a person or an account ----------------------------------------------------

// 13 to 19 digits, plain or in groups of 3 to 6 joined by one kind of separator; Luhn in scrub.mjs.
// Bounds that a card cannot pass (six groups, 15 phone digits, 34 IBAN characters) keep a long run
// of groups from being read again at each of its groups.
const CARD = String.raw`(?:\d{13,19}(?!\d)|\d{3,6}(?!\d)(?<cardSeparator>[ .-])\d{3,6}(?!\d)(?:\k<cardSeparator>\d{3,6}(?!\d)){0,4})` +
  String.raw`(?!${GLUED}|[ .-](?:\d|${PLACEHOLDER}))`;
const SSN = String.raw`\d{3}-\d{2}-\d{4}(?!${GLUED}|-(?:\d|${PLACEHOLDER}))`;
// With a country code (+44 20 7946 0958, +1 (415) 555-2671), or North American with separators.
const AREA = String.raw`[2-9]\d\d`;
const PHONE =
  String.raw`\+\d(?:\d|[ .-](?=\d)| (?=\()|\(\d{1,4}\)(?: (?=\d))?){0,32}(?!${GLUED}|[-. (](?:\d|${PLACEHOLDER})| \()` +
  String.raw`|(?:\(${AREA}\) ?${AREA}[-. ]\d{4}|1(?<phoneSeparator>[-.])${AREA}\k<phoneSeparator>${AREA}\k<phoneSeparator>\d{4}` +
  String.raw`|${AREA}(?<phoneBetween>[-.])${AREA}\k<phoneBetween>\d{4})(?!${GLUED}|[-.](?:\d|${PLACEHOLDER}))`;
// Country, check digits, then the account, electronic or printed in groups of four; the country's
// length and mod 97 in scrub.mjs.
const IBAN = String.raw`[A-Za-z]{2}\d\d(?: ?[A-Za-z0-9]{4}){0,8}(?: ?[A-Za-z0-9]{1,3})?`;

// ---- what only looks random --------------------------------------------------------------------

// A whole run of 32+ base64 characters (taken whole: a placeholder right after it refuses it).
const LONG_SECRET = `(?=(?<longRun>[A-Za-z0-9_+/=-]{32,}))\\k<longRun>(?!${PLACEHOLDER})`;

// The rules in the core's order. inUrl: also tried in a URL's host and path segments; glued: tried
// only where no token starts.
const RULES = [
  { name: 'pem', source: `${ARMOURED_KEY}|${PUTTY_KEY}`, inUrl: true },
  { name: 'url', source: URL, inUrl: false },
  { name: 'email', source: EMAIL, inUrl: true },
  { name: 'keyValue', source: KEY_VALUE, inUrl: true },
  { name: 'authScheme', source: AUTH_SCHEME, inUrl: true },
  { name: 'token', source: TOKEN_PREFIX, inUrl: true },
  { name: 'jwt', source: JWT, inUrl: true },
  { name: 'path', source: PATH, inUrl: false },
  { name: 'deviceName', source: DEVICE_NAME, inUrl: true },
  { name: 'hostName', source: HOST_NAME, inUrl: true },
  { name: 'mac', source: MAC, inUrl: true },
  { name: 'ipv4', source: `(?<!\\.)${IPV4}`, inUrl: true },
  { name: 'ipv6', source: IPV6, inUrl: true },
  { name: 'card', source: CARD, inUrl: true },
  { name: 'ssn', source: SSN, inUrl: true },
  { name: 'phone', source: PHONE, inUrl: true },
  { name: 'iban', source: IBAN, inUrl: true },
  { name: 'longSecret', source: LONG_SECRET, inUrl: true },
  { name: 'gluedIpv4', source: GLUED_IPV4, inUrl: true, glued: true },
  { name: 'gluedHome', source: GLUED_HOME, inUrl: false, glued: true },
];

// compile() makes one search over every rule, and one sticky expression per rule to try it alone
// at a given place.
function compile(rules) {
  const named = (rule) => `(?<${rule.name}>${rule.source})`;
  const atTokenStart = rules.filter((rule) => !rule.glued).map(named).join('|');
  const glued = rules.filter((rule) => rule.glued).map(named);
  return {
    search: new RegExp([`${TOKEN_START}(?:${atTokenStart})`, ...glued].join('|'), 'g'),
    rules: rules.map((rule) => ({
      name: rule.name,
      glued: rule.glued === true,
      alone: new RegExp(rule.glued ? named(rule) : `${TOKEN_START}${named(rule)}`, 'y'),
    })),
  };
}

// TEXT_RULES scan free text; URL_RULES a URL's host and path, where no URL or file path nests.
export const TEXT_RULES = compile(RULES);
export const URL_RULES = compile(RULES.filter((rule) => rule.inUrl));
