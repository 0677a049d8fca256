// semver.js: versions and version ranges for the version check (check.js) and the admin API
// (admin.js): Semantic Versioning 2.0.0 with a leading `v` allowed, its precedence, npm-style
// ranges, and the safe form a version is counted under.
//
// Everything here reads text a stranger sent, so every reader is bounded (lengths, digits, parts)
// and answers { problem } instead of throwing. Nothing compiles a regular expression from input.

// A version longer than this is refused: real ones are far shorter, and a check answer echoes it.
export const MAX_VERSION_LENGTH = 128;
// A range longer than this is refused: advisories name a few comparators, never thousands.
export const MAX_RANGE_LENGTH = 256;
// Comparator sets (`||` parts) and comparators per set a range may hold.
const MAX_RANGE_SETS = 16;
const MAX_SET_COMPARATORS = 8;
// A numeric part with more digits than this is refused: 2^53 has 16, and beyond it numbers
// compare wrongly in JavaScript (npm refuses the same).
const MAX_NUMBER_DIGITS = 16;

const NUMERIC = /^(0|[1-9][0-9]*)$/;
const IDENTIFIER = /^[0-9A-Za-z-]+$/;

// readNumber() is one MAJOR, MINOR or PATCH part, or null.
function readNumber(text) {
  if (!NUMERIC.test(text) || text.length > MAX_NUMBER_DIGITS) return null;
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : null;
}

// readIdentifiers() reads dot-separated pre-release or build identifiers: the list, or a problem.
function readIdentifiers(text, what, { numericRule }) {
  const identifiers = text.split('.');
  for (const identifier of identifiers) {
    if (!IDENTIFIER.test(identifier)) return { problem: `its ${what} has an empty identifier or a character other than [0-9A-Za-z-]` };
    if (numericRule && /^[0-9]+$/.test(identifier) && (!NUMERIC.test(identifier) || identifier.length > MAX_NUMBER_DIGITS)) {
      return { problem: `its ${what} has a numeric identifier with a leading zero or more than ${MAX_NUMBER_DIGITS} digits` };
    }
  }
  return { identifiers };
}

// parseVersion() reads a Semantic Versioning 2.0.0 version, `v` first allowed:
// { version: { major, minor, patch, prerelease: [...], build: [...] } } or { problem }.
// Numeric pre-release identifiers are numbers, the others strings.
export function parseVersion(text) {
  if (typeof text !== 'string') return { problem: 'is not a string' };
  if (text.length === 0) return { problem: 'is empty' };
  if (text.length > MAX_VERSION_LENGTH) return { problem: `is longer than ${MAX_VERSION_LENGTH} characters` };
  let rest = text[0] === 'v' ? text.slice(1) : text;
  let build = [];
  const plus = rest.indexOf('+');
  if (plus !== -1) {
    const read = readIdentifiers(rest.slice(plus + 1), 'build metadata', { numericRule: false });
    if (read.problem) return read;
    build = read.identifiers;
    rest = rest.slice(0, plus);
  }
  let prerelease = [];
  const dash = rest.indexOf('-');
  if (dash !== -1) {
    const read = readIdentifiers(rest.slice(dash + 1), 'pre-release', { numericRule: true });
    if (read.problem) return read;
    prerelease = read.identifiers.map((id) => (/^[0-9]+$/.test(id) ? Number(id) : id));
    rest = rest.slice(0, dash);
  }
  const parts = rest.split('.');
  if (parts.length !== 3) return { problem: 'is not MAJOR.MINOR.PATCH (semver 2.0, for example 1.4.0 or 2.0.0-rc.1)' };
  const [major, minor, patch] = parts.map(readNumber);
  if (major === null || minor === null || patch === null) {
    return { problem: `has a part that is not a number without leading zeros of at most ${MAX_NUMBER_DIGITS} digits` };
  }
  return { version: { major, minor, patch, prerelease, build } };
}

// formatVersion() writes a parsed version back, without `v`.
export function formatVersion(v) {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join('.')}` : ''}${v.build.length ? `+${v.build.join('.')}` : ''}`;
}

const sign = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// compareVersions() is semver precedence of two parsed versions: -1, 0 or 1. Build metadata is
// ignored; a pre-release comes before its release; identifiers compare numbers numerically, below
// strings, strings in ASCII order; a longer list wins a tie.
export function compareVersions(a, b) {
  const core = sign(a.major, b.major) || sign(a.minor, b.minor) || sign(a.patch, b.patch);
  if (core) return core;
  if (a.prerelease.length === 0 || b.prerelease.length === 0) return sign(b.prerelease.length, a.prerelease.length);
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i++) {
    const [x, y] = [a.prerelease[i], b.prerelease[i]];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return sign(x, y);
    if (typeof x === 'number') return -1;
    if (typeof y === 'number') return 1;
    return sign(x, y);
  }
  return sign(a.prerelease.length, b.prerelease.length);
}

// compare() is compareVersions() of two version texts; it throws on one that does not parse
// (callers check first).
export function compare(a, b) {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  if (x.problem || y.problem) throw new Error('compare() of a version that does not parse');
  return compareVersions(x.version, y.version);
}

// ---- ranges ----

// A partial version of a range: each part a number or null (x, X, * or absent).
const PARTIAL = /^v?(0|[1-9][0-9]*|[xX*])(?:\.(0|[1-9][0-9]*|[xX*])(?:\.(0|[1-9][0-9]*|[xX*])(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?)?)?$/;
const COMPARATOR = /^(<=|>=|<|>|=|\^|~>?)?(.*)$/;

const version = (major, minor, patch, prerelease = []) => ({ major, minor, patch, prerelease, build: [] });
// The lowest version of a line: `<2.0.0-0` stops before every pre-release of 2.0.0 as well.
const floor = (major, minor, patch) => version(major, minor, patch, [0]);

// readPartial() reads one partial version: { parts: [major, minor, patch] (numbers or null after
// the first wildcard), prerelease } or { problem }.
function readPartial(text) {
  const match = PARTIAL.exec(text);
  if (!match) return { problem: `"${text.slice(0, 40)}" is not a version, x-range or *` };
  const parts = [];
  let wild = false;
  for (const part of match.slice(1, 4)) {
    if (part === undefined || /^[xX*]$/.test(part)) wild = true;
    if (wild) {
      parts.push(null);
      continue;
    }
    const number = readNumber(part);
    if (number === null) return { problem: `"${text.slice(0, 40)}" has a part of more than ${MAX_NUMBER_DIGITS} digits` };
    parts.push(number);
  }
  let prerelease = [];
  if (match[4] !== undefined) {
    if (wild) return { problem: `"${text.slice(0, 40)}": a pre-release needs MAJOR.MINOR.PATCH` };
    const read = readIdentifiers(match[4], 'pre-release', { numericRule: true });
    if (read.problem) return { problem: `"${text.slice(0, 40)}": ${read.problem}` };
    prerelease = read.identifiers.map((id) => (/^[0-9]+$/.test(id) ? Number(id) : id));
  }
  return { parts, prerelease };
}

// desugar() turns one comparator (an operator and a partial version) into plain comparators
// [{ op, version }], npm's way, with pre-releases included in every bound (a pre-release of the
// fixed version is not yet fixed): `^1.2.0` is `>=1.2.0 <2.0.0-0`.
function desugar(op, { parts: [M, m, p], prerelease }) {
  const exact = version(M, m, p, prerelease);
  if (M === null) return op === '<' || op === '>' ? [{ op: '<', version: version(0, 0, 0, [0]) }] : []; // `<*` matches nothing
  if (op === '^') {
    const low = { op: '>=', version: version(M, m ?? 0, p ?? 0, prerelease) };
    if (M > 0 || m === null) return [low, { op: '<', version: floor(M + 1, 0, 0) }];
    if (m > 0 || p === null) return [low, { op: '<', version: floor(0, m + 1, 0) }];
    return [low, { op: '<', version: floor(0, 0, p + 1) }];
  }
  if (op === '~' || op === '~>') {
    const low = { op: '>=', version: version(M, m ?? 0, p ?? 0, prerelease) };
    return [low, { op: '<', version: m === null ? floor(M + 1, 0, 0) : floor(M, m + 1, 0) }];
  }
  if (m !== null && p !== null) return [{ op: op || '=', version: exact }];
  // A partial version with an operator: the range it stands for, then the bound.
  const next = m === null ? floor(M + 1, 0, 0) : floor(M, m + 1, 0);
  const first = version(M, m ?? 0, 0);
  switch (op) {
    case '>': return [{ op: '>=', version: next }];
    case '>=': return [{ op: '>=', version: first }];
    case '<': return [{ op: '<', version: floor(first.major, first.minor, 0) }];
    case '<=': return [{ op: '<', version: next }];
    default: return [{ op: '>=', version: first }, { op: '<', version: next }];
  }
}

// parseRange() reads an npm-style range: comparator sets joined by `||`, each a space-separated
// list of comparators (`<1.4.0`, `>=1.0.0 <1.2.3`, `1.2.x`, `^1.2.0`, `~1.2.0`, `*`, `=1.2.3`,
// a bare version). { range: [[{ op, version }, …], …] } or { problem }. Hyphen ranges (`1.0 - 2.0`)
// are refused: `>=1.0.0 <=2.0.0` says the same without the ambiguity.
export function parseRange(text) {
  if (typeof text !== 'string') return { problem: 'is not a string' };
  if (text.length > MAX_RANGE_LENGTH) return { problem: `is longer than ${MAX_RANGE_LENGTH} characters` };
  if (text.trim() === '') return { problem: 'is empty: write * for every version' };
  if (!/^[0-9A-Za-z.+\-<>=^~*|\t ]+$/.test(text)) return { problem: 'holds a character no range uses' };
  const sets = text.split('||');
  if (sets.length > MAX_RANGE_SETS) return { problem: `has more than ${MAX_RANGE_SETS} ||-separated sets` };
  const range = [];
  for (const set of sets) {
    // `>= 1.2.0` is `>=1.2.0`.
    const tokens = set.trim().replace(/(<=|>=|<|>|=|\^|~>?)[\t ]+/g, '$1').split(/[\t ]+/).filter(Boolean);
    if (tokens.length === 0) return { problem: 'has an empty set between ||' };
    if (tokens.length > MAX_SET_COMPARATORS) return { problem: `has a set of more than ${MAX_SET_COMPARATORS} comparators` };
    if (tokens.includes('-')) return { problem: 'uses a hyphen range: write >=A <=B instead' };
    const comparators = [];
    for (const token of tokens) {
      const [, op = '', rest] = COMPARATOR.exec(token);
      const partial = readPartial(rest);
      if (partial.problem) return { problem: partial.problem };
      comparators.push(...desugar(op, partial));
    }
    range.push(comparators);
  }
  return { range };
}

function satisfiesComparator(v, { op, version: bound }) {
  const order = compareVersions(v, bound);
  switch (op) {
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
    default: return order === 0;
  }
}

// satisfies() says whether a parsed version is in a parsed range. Pre-releases are compared by
// precedence like any version (npm's includePrerelease): `<1.4.0` covers 1.4.0-rc.1, which an
// advisory fixed in 1.4.0 must reach.
export function satisfies(v, range) {
  return range.some((set) => set.every((comparator) => satisfiesComparator(v, comparator)));
}

// ---- the stored form ----

// Pre-release words a counted version keeps: the ones release processes use. Any other
// identifier could be a name, a branch, a hash or a secret, and is never stored.
const SAFE_PRERELEASE_WORDS = new Set(['alpha', 'beta', 'rc', 'dev', 'pre', 'preview', 'next', 'canary', 'nightly']);
// A stored numeric part has at most this many digits: 20261201 (a nightly's date) fits; a phone or
// card number does not.
const MAX_STORED_DIGITS = 8;
// A stored pre-release keeps at most this many identifiers.
const MAX_STORED_IDENTIFIERS = 4;

const storedNumber = (n) => String(n).length <= MAX_STORED_DIGITS;

// countedVersion() is storedVersion()'s form held to the core's version rule as well
// (`readsAsVersion(text)`: core.version(text) !== null): a version whose pre-release the core
// refuses (1.2.3-10.0.0.5 reads as an address) is counted without it, and one the core refuses
// whole (415.555.2671 reads as a phone number) is counted unnamed (''), so a count holds no
// version an event could not.
export function countedVersion(text, readsAsVersion) {
  const stored = storedVersion(text);
  if (stored === '' || readsAsVersion(stored)) return stored;
  const numbers = stored.split('-')[0];
  return numbers !== stored && readsAsVersion(numbers) ? numbers : '';
}

// storedVersion() is the form a version is counted under: MAJOR.MINOR.PATCH, plus its pre-release
// only when every identifier is one of SAFE_PRERELEASE_WORDS or digits (at most four of them);
// any other pre-release and all build metadata are dropped. '' (not named) for text that is not
// a version, or whose numbers are longer than a version's (eight digits) could be a phone number.
export function storedVersion(text) {
  const { version: v } = parseVersion(text);
  if (!v || ![v.major, v.minor, v.patch].every(storedNumber)) return '';
  const core = `${v.major}.${v.minor}.${v.patch}`;
  const safe = v.prerelease.length > 0 && v.prerelease.length <= MAX_STORED_IDENTIFIERS
    && v.prerelease.every((id) => (typeof id === 'number' ? storedNumber(id) : SAFE_PRERELEASE_WORDS.has(id)));
  return safe ? `${core}-${v.prerelease.join('.')}` : core;
}
