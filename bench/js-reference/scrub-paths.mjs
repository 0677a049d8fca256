// scrub-paths.mjs: how far a file system path goes, and what of it is kept. A path goes whole, since
// any folder may be named after its owner; a source file's name, or the part from a package folder
// on, stays after <path>, so a stack trace keeps its shape without its user.
import { NON_ASCII_LETTER, PLACEHOLDER_AT, PUNCTUATION } from './scrub-patterns.mjs';
import { utf8Length } from './text.mjs';

// The longest user name a home folder's segment is assumed to hold when no separator ends it, and
// how far a space inside a path may be from the next separator and still belong to the path, in
// UTF-8 bytes as the core counts.
const MAX_USER_NAME = 64;
const MAX_SPACED_SEGMENT = 256;

const POSIX_CHARS = `A-Za-z0-9/._~+@%=,${NON_ASCII_LETTER}-`;
const WINDOWS_FORBIDDEN = String.raw`\t\n\r"'<>|*?:,;()\[\]\0`;
// Runs: path characters, and path characters or spaces (how far a spaced name may reach).
const POSIX_RUN = new RegExp(`[${POSIX_CHARS}]*`, 'y');
const POSIX_SPACED = new RegExp(`^[ ${POSIX_CHARS}]*$`);
const POSIX_SPACED_RUN = new RegExp(`[ ${POSIX_CHARS}]*`, 'y');
const WINDOWS_SPACED = new RegExp(`^[^${WINDOWS_FORBIDDEN}${PUNCTUATION}]*$`);
const WINDOWS_SPACED_RUN = new RegExp(`[^${WINDOWS_FORBIDDEN}${PUNCTUATION}]*`, 'y');
const WINDOWS_CHAR = new RegExp(`[^ ${WINDOWS_FORBIDDEN}${PUNCTUATION}]`);
// Without the punctuation rule: what a UNC name's first character and a glued home folder take.
const isPosixChar = (c) => c !== undefined && /[A-Za-z0-9/._~+@%=,\u0080-\uffff-]/.test(c);
const isWindowsChar = (c) => c !== undefined && !/[ \t\n\r"'<>|*?:,;()[\]\0]/.test(c);

const runEnd = (run, text, from) => {
  run.lastIndex = from;
  run.test(text);
  return run.lastIndex;
};
const posixEnd = (text, from) => runEnd(POSIX_RUN, text, from);

// A file name worth keeping in a stack trace: source code, not a user's documents.
const SOURCE_EXTENSIONS = new Set([
  '.py', '.pyx', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx', '.go', '.rs', '.java', '.kt', '.scala', '.rb', '.php',
  '.c', '.cc', '.cpp', '.cxx', '.h', '.hpp', '.cs', '.swift', '.m', '.mm', '.lua', '.pl', '.sh', '.r', '.jl', '.ex',
  '.exs', '.erl', '.hs', '.ml', '.dart', '.vue', '.svelte', '.ipynb',
]);

function isSourceFileName(name) {
  const dot = name.lastIndexOf('.');
  return dot > 0 && SOURCE_EXTENSIONS.has(name.slice(dot).toLowerCase());
}

const PACKAGE_ROOTS = ['site-packages', 'dist-packages', 'node_modules', 'mod'];

// keptTail() is what of a path survives: from a package folder on (library code, the same on every
// machine; Go's is pkg/mod), else a source file's name, else nothing. Nothing before privateEnd
// (the end of a home folder's user name) is kept, nor a tail that climbs out with "..".
function keptTail(path, separator, privateEnd) {
  for (let segmentEnd = path.length; segmentEnd > 0;) {
    const segmentStart = path.lastIndexOf(separator, segmentEnd - 1);
    if (segmentStart === -1 || segmentStart < privateEnd) break;
    const segment = path.slice(segmentStart + 1, segmentEnd);
    if (PACKAGE_ROOTS.includes(segment)) {
      const goModules = segmentStart >= 4 && path.startsWith('/pkg', segmentStart - 4);
      const tail = segment !== 'mod' ? path.slice(segmentStart) : goModules ? path.slice(segmentStart - 4) : null;
      if (tail !== null && !tail.includes('..')) return tail;
    }
    segmentEnd = segmentStart;
  }
  // Windows takes '/' as well as '\' between names.
  const last = separator === '/' ? path.lastIndexOf('/') : Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (last === -1 || last < privateEnd) return '';
  const name = path.slice(last);
  return isSourceFileName(name.slice(1)) ? name : '';
}

// pathMatch() replaces text[at, end) but for its kept tail, which the scan then reads on like any
// text. A path that is all package code (/node_modules/x/index.js) is not replaced.
function pathMatch(text, at, end, separator, userEnd) {
  const path = text.slice(at, end);
  const tail = keptTail(path, separator, Math.max(userEnd - at, 0));
  if (tail.length === path.length && /[/\\]/.test(tail.slice(1))) return null;
  return { end: end - tail.length, out: '<path>' };
}

// spaceContinues() is true when the space at `at` is inside a path: another separator follows
// soon, with only path characters and spaces before it ("C:\Program Files\…", "/Users/Jane Doe/…").
function spaceContinues(text, at, separator, windows) {
  const next = text.indexOf(separator, at + 1);
  if (next === -1 || next > at + MAX_SPACED_SEGMENT) return false;
  const between = text.slice(at + 1, next);
  return (windows ? WINDOWS_SPACED : POSIX_SPACED).test(between) && utf8Length(between) < MAX_SPACED_SEGMENT;
}

// userNameEnd() is where the user name that starts a home folder's segment ends. Names may hold
// spaces ("Jane Doe"): the name runs to the next separator when one comes soon; else, at the end
// of the path, as far as path characters and spaces go when that is as near (a name cannot be told
// from the words after it, so both go); else over at most three words.
function userNameEnd(text, start, separator, windows) {
  const stop = runEnd(windows ? WINDOWS_SPACED_RUN : POSIX_SPACED_RUN, text, start);
  const next = text.indexOf(separator, start);
  if (next !== -1 && next < stop && utf8Length(text.slice(start, next)) <= MAX_USER_NAME) return next;
  let end = stop;
  if (utf8Length(text.slice(start, stop)) > MAX_USER_NAME) {
    end = start;
    for (let spaces = 0; end < stop && !(text[end] === ' ' && ++spaces === 3);) end++;
  }
  while (end > start && text[end - 1] === ' ') end--;
  return end;
}

// homeUserAt() is where the user name starts when a home folder begins at `at` (Users, home,
// Documents and Settings, then the separator), or -1.
function homeUserAt(text, at, separator) {
  const home = /users|home|documents and settings/iy;
  home.lastIndex = at;
  return home.test(text) && text[home.lastIndex] === separator ? home.lastIndex + 1 : -1;
}

// A Windows path from the end of its root (C:\, \\server\, %USERPROFILE%\) on.
function windowsPath(text, at, rootEnd, separator) {
  let end = rootEnd;
  let userEnd = 0;
  const user = homeUserAt(text, rootEnd, separator);
  if (user !== -1) userEnd = end = userNameEnd(text, user, separator, true);
  while (end < text.length && (WINDOWS_CHAR.test(text[end]) || (text[end] === ' ' && spaceContinues(text, end, separator, true)))) end++;
  return pathMatch(text, at, end, separator, userEnd);
}

// environmentRootEnd() reads a path that starts at an environment variable naming a folder
// (%USERPROFILE%\, %HOMEDRIVE%%HOMEPATH%\, $HOME/, ${HOME}/, $env:USERPROFILE\): where its segments
// start and their separator, or null.
const PERCENT_ROOT = /(?:%[A-Za-z_][A-Za-z0-9_()]{0,31}%)+(?<separator>[\\/])/y;
const DOLLAR_ROOT = /\$(?:\{(?:env:)?[A-Za-z_]\w{0,31}\}|(?:env:)?[A-Za-z_]\w{0,31}(?!\w))(?<separator>[\\/])/iy;

function environmentRootEnd(text, at) {
  const root = text[at] === '%' ? PERCENT_ROOT : DOLLAR_ROOT;
  root.lastIndex = at;
  const match = root.exec(text);
  return match === null ? null : { end: root.lastIndex, separator: match.groups.separator };
}

// tryPath() reads a path at `at`: Windows (C:\…, C:/…, \\server\share\…), an environment variable
// naming a folder, or POSIX (/a/b…, ./a/b, ../a/b, ~/…, ~user/…; one segment is not enough, but
// right after a URL's scheme or inside a longer path any rooted path is one). It returns the
// placeholder and where the scan goes on, or null.
export function tryPath(text, at, afterScheme) {
  const c = text[at];
  const afterName = at > 0 && './\\'.includes(text[at - 1]);
  if (/^[A-Za-z]$/.test(c ?? '') && !afterName && text[at + 1] === ':' && (text[at + 2] === '\\' || text[at + 2] === '/')) {
    return windowsPath(text, at, at + 3, text[at + 2]);
  }
  if (c === '\\' && text[at + 1] === '\\' && isWindowsChar(text[at + 2])) return windowsPath(text, at, at + 2, '\\');
  if (c === '%' || c === '$') {
    const root = environmentRootEnd(text, at);
    if (root === null) return null;
    if (root.separator === '\\') return windowsPath(text, at, root.end, '\\');
    return pathMatch(text, at, posixEnd(text, root.end), '/', 0);
  }
  const relative = c === '.' && (text[at + 1] === '/' || (text[at + 1] === '.' && text[at + 2] === '/'));
  if (c !== '~' && c !== '/' && !relative) return null;
  if (c === '/' && !afterScheme && at > 0 && (text[at - 1] === '/' || text[at - 1] === '.')) return null;
  let end = posixEnd(text, at + 1);
  let userEnd = 0;
  const user = c === '/' ? homeUserAt(text, at + 1, '/') : -1;
  if (user !== -1) {
    userEnd = end = userNameEnd(text, user, '/', false);
    if (text[end] === '/') end = posixEnd(text, end);
    // Further down a home folder a space may be part of a name: /Users/Jane Doe/My Files/…
    while (text[end] === ' ' && spaceContinues(text, end, '/', false)) end = posixEnd(text, end + 1);
  }
  // A sentence's closing '.' or ',' is not part of the path.
  let trimmed = end;
  while (trimmed > 0 && (text[trimmed - 1] === '.' || text[trimmed - 1] === ',')) trimmed--;
  if (trimmed > at + 1 && trimmed >= userEnd) end = trimmed;
  const slashes = text.slice(at, end).split('/').length - 1;
  const rooted = c === '/' && isPosixChar(text[at + 1]) && text[at + 1] !== '/';
  if (((rooted || relative) && slashes >= 2) || (c === '~' && slashes >= 1) || (afterScheme && c === '/')) {
    return pathMatch(text, at, end, '/', userEnd);
  }
  return null;
}

// gluedHomePath() reads a home folder inside a longer word or path (data/Users/jane/…): it names
// someone whatever comes before it. A last segment with a dot is a file (templates/home/index.html);
// one that runs into a placeholder was no path's end in the first pass either.
export function gluedHomePath(text, at) {
  const separator = text[at];
  const user = at + 6 + (text.startsWith('Users', at + 1) ? 1 : 0);
  let nameEnd = user;
  const inName = separator === '/' ? isPosixChar : isWindowsChar;
  for (let bytes = 0; nameEnd < text.length && text[nameEnd] !== '/' && text[nameEnd] !== '\\' && inName(text[nameEnd]); nameEnd++) {
    bytes += utf8Length(text[nameEnd]);
    if (bytes > MAX_USER_NAME) break;
  }
  if (nameEnd === user) return null;
  if (text[nameEnd] !== '/' && text[nameEnd] !== '\\') {
    PLACEHOLDER_AT.lastIndex = nameEnd;
    if (PLACEHOLDER_AT.test(text) || text.slice(user, nameEnd).includes('.')) return null;
  }
  return separator === '/' ? tryPath(text, at, true) : windowsPath(text, at, at + 1, separator);
}
