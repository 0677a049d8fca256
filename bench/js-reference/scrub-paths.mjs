// scrub-paths.mjs: file system paths (wasm/src/scrub/paths.cpp). A path goes whole, since any folder
// may be named after its owner; what is kept after <path> is a source file's name, or the part below
// a package folder, so a stack trace keeps its shape without its user. Paths in the system's own
// folders (/usr/…, /etc/…, C:\Windows\…, C:\Program Files\…) and web routes (/v1/…, GET /users/123)
// name no one and stay; a home folder inside one is still found (at its separator, glued to the
// word before).
import {
  NONE, PATH, count, endsWithIgnoreCase, equalsIgnoreCase, isAlnum, isAlpha, isDigit, isLower,
  isPosixPathChar, isSpace, isWindowsPathChar, isWord,
} from './scrub-chars.mjs';

// The longest user name a home folder's segment is assumed to hold when no separator ends it.
const MAX_USER_NAME = 64;
// How far a space inside a path may be from the next separator and still belong to the path.
const MAX_SPACED_SEGMENT = 256;

const SOURCE_EXTENSIONS = [
  '.py', '.pyx', '.js', '.mjs', '.cjs', '.ts', '.tsx', '.jsx', '.go', '.rs', '.java', '.kt', '.scala', '.rb', '.php',
  '.c', '.cc', '.cpp', '.cxx', '.h', '.hpp', '.cs', '.swift', '.m', '.mm', '.lua', '.pl', '.sh', '.r', '.jl', '.ex',
  '.exs', '.erl', '.hs', '.ml', '.dart', '.vue', '.svelte', '.ipynb',
];

// A file name worth keeping in a stack trace: source code, not a user's documents.
function isSourceFileName(name) {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  return SOURCE_EXTENSIONS.some((ext) => name.length - dot === ext.length && endsWithIgnoreCase(name, ext));
}

const PACKAGE_ROOTS = ['site-packages', 'dist-packages', 'node_modules', 'mod'];

// keptTail() is what of a path survives: from a package folder on (library code, the same on every
// machine), or a source file's name; '' when nothing may be kept. Nothing at or before
// `privateEnd` (the end of a home folder's user name) is ever kept, nor a tail that climbs out of
// its package with "..".
function keptTail(path, separator, privateEnd) {
  let segmentEnd = path.length;
  while (segmentEnd > 0) {
    const segmentStart = path.lastIndexOf(separator, segmentEnd - 1);
    if (segmentStart === -1 || segmentStart < privateEnd) break;
    const segment = path.slice(segmentStart + 1, segmentEnd);
    for (const root of PACKAGE_ROOTS) {
      const goMod = root === 'mod' && segmentStart >= 4 && path.startsWith('/pkg', segmentStart - 4);
      if (segment !== root || (root === 'mod' && !goMod)) continue;
      const tail = path.slice(root === 'mod' ? segmentStart - 4 : segmentStart);
      if (!tail.includes('..')) return tail;
    }
    segmentEnd = segmentStart;
  }
  // Windows takes '/' as well as '\\' between names.
  const last = separator === '/' ? path.lastIndexOf('/') : Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
  if (last === -1 || last < privateEnd) return '';
  const name = path.slice(last);
  return isSourceFileName(name.slice(1)) ? name : '';
}

// emitPath() replaces the path s[i, end) but for its kept tail, which the scan then reads on like
// any text (an e-mail in a package's folder names still goes), glued to the placeholder as a second
// pass will read it. A path that is all package code (/node_modules/x/index.js) is not replaced.
function emitPath(s, end, separator, userEnd) {
  const path = s.s.slice(s.i, end);
  const tail = keptTail(path, separator, userEnd > s.i ? userEnd - s.i : 0);
  const slash = tail.indexOf('/', 1);
  const backslash = tail.indexOf('\\', 1);
  const isPackage = slash !== -1 || backslash !== -1;
  if (tail.length === path.length && isPackage) return false;
  s.append(PATH);
  s.i = end - tail.length;
  return true;
}

// inNameSpace() is true for a no-break space (U+00A0) or an ideographic space (U+3000), which a
// user name may hold where others type a space ("Jane Doe").
const inNameSpace = (s, at) => s.s[at] === '\u00a0' || s.s[at] === '\u3000';

// PathChars says which characters end a path even after a space: neither a space nor a character
// of the path's kind. In a Windows path "(" and ")" belong to names while they pair up ("Program
// Files (x86)", "Jane Doe (Work)"); a ")" that closes nothing closes the prose around the path
// ("(see C:\x\y.txt)"). In a user name (`name`), an apostrophe between letters (O'Brien) and a
// no-break or ideographic space are the name's. stop() counts parentheses, so it reads each
// character once, in order.
class PathChars {
  constructor(windows = false, name = false) {
    this.windows = windows;
    this.name = name;
    this.depth = 0;
  }

  copy() {
    const chars = new PathChars(this.windows, this.name);
    chars.depth = this.depth;
    return chars;
  }

  stop(s, at) {
    const c = s.s[at];
    if (c === ' ') return false;
    if (this.name && (inNameSpace(s, at) || (c === "'" && at > 0 && isAlpha(s.s[at - 1]) && isAlpha(s.at(at + 1))))) {
      return false;
    }
    if (this.windows && c === '(') {
      this.depth++;
      return false;
    }
    if (this.windows && c === ')') {
      if (this.depth === 0) return true;
      this.depth--;
      return false;
    }
    return s.t.punct(at) || !(this.windows ? isWindowsPathChar(c) : isPosixPathChar(c));
  }
}

// startsPath() is true for a character that, after a space, starts a path of its own rather than
// continuing one: a separator, or a variable or home root ("/a/x /b/y", "%APPDATA%\a %APPDATA%\b").
const startsPath = (c, separator) => c === separator || c === '%' || c === '$' || c === '~';

// separatorAhead() is the first `separator` in s[from, from + most), if no stop comes before it and
// no word on the way starts a path of its own, else NONE. Both callers read at most `most`
// characters, and what they read up to a separator the path then takes, so the scan stays linear.
// `pathChars` is a copy: the caller's count of parentheses stays as it was.
function separatorAhead(s, from, most, separator, pathChars) {
  const chars = pathChars.copy();
  for (let at = from; at < s.limit && at < from + most; at++) {
    if (s.s[at - 1] === ' ' && startsPath(s.s[at], separator)) return NONE;
    if (s.s[at] === separator) return at;
    if (chars.stop(s, at)) return NONE;
  }
  return NONE;
}

// spaceContinues() is true when the space at `at` is inside a path: another separator follows soon,
// with only path characters and spaces before it ("C:\Program Files\…", "/Users/Jane Doe/…").
const spaceContinues = (s, at, separator, chars) => separatorAhead(s, at + 1, MAX_SPACED_SEGMENT, separator, chars) !== NONE;

// hasExtension() is true for a file name's shape: a name, a dot, then 1 to 5 letters and digits
// with a letter among them (plan.txt, Review.xlsx; not 1.5, e.g).
function hasExtension(word) {
  const dot = word.lastIndexOf('.');
  if (dot <= 0 || word.length - dot < 2 || word.length - dot > 6) return false;
  let letter = false;
  for (const c of word.slice(dot + 1)) {
    if (!isAlnum(c)) return false;
    letter ||= isAlpha(c);
  }
  return letter;
}

// fileNameAhead() is, at a space that ends a home folder's path whose last name has no dot yet, the
// end of the file name that name continues into ("secret plan.txt", "Salary Review.xlsx"): over at
// most three more words without dots, the last with an extension; else NONE. It reads at most
// MAX_SPACED_SEGMENT characters, and what it returns the path takes.
function fileNameAhead(s, at, separator, windows) {
  const chars = new PathChars(windows);
  let p = at;
  for (let words = 0; words < 3 && s.at(p) === ' '; words++) {
    const word = ++p;
    if (startsPath(s.at(word), separator)) return NONE;
    let dot = false;
    while (p < s.limit && p < at + MAX_SPACED_SEGMENT && s.s[p] !== ' ' && s.s[p] !== '/' && s.s[p] !== '\\' && !chars.stop(s, p)) {
      dot ||= s.s[p] === '.';
      p++;
    }
    // A word cut by the bound, or running into a separator or what a first pass replaced, is no
    // file name of this path.
    if (p === word || p === at + MAX_SPACED_SEGMENT || s.at(p) === '/' || s.at(p) === '\\' || s.placeholderAt(p)) return NONE;
    let end = p;
    while (end > word && (s.s[end - 1] === '.' || s.s[end - 1] === ',')) end--; // sentence punctuation
    if (dot) return hasExtension(s.s.slice(word, end)) ? end : NONE;
  }
  return NONE;
}

// userNameEnd() is where the user name that starts a home folder's segment ends. Names may hold
// spaces ("Jane Doe"): the name runs to the next separator when one comes soon; else, at the end of
// the path, to the end of the line when that is as near (a name cannot be told from the words after
// it, so both go); else over at most three words. A word that starts a path of its own ends it.
function userNameEnd(s, start, separator, windows) {
  const name = new PathChars(windows, true);
  const next = separatorAhead(s, start, MAX_USER_NAME + 1, separator, name);
  if (next !== NONE) return next;
  const stop = (at, chars) => chars.stop(s, at) || (s.s[at] === ' ' && startsPath(s.at(at + 1), separator));
  let end = start;
  const line = name.copy();
  while (end < s.limit && end <= start + MAX_USER_NAME && !stop(end, line)) end++;
  if (end > start + MAX_USER_NAME) {
    end = start;
    const words = name.copy();
    for (let spaces = 0; end < s.limit && !stop(end, words) && !(s.s[end] === ' ' && ++spaces === 3);) end++;
  }
  while (end > start && s.s[end - 1] === ' ') end--;
  return end;
}

// posixHomeUserAt() is where the owner's name starts when a home-like folder begins at `at`, or 0:
// homes, and the disks and volumes named after their owner or by them. Spelt as the systems spell
// them: /users/123/profile is a web route.
function posixHomeUserAt(s, at) {
  for (const home of ['home/', 'Users/', 'Volumes/', 'media/', 'run/media/']) if (s.matches(at, home)) return at + home.length;
  return 0;
}

// windowsHomeUserAt() is the same on Windows, where case does not matter: C:\users\jdoe is a home.
function windowsHomeUserAt(s, at, separator) {
  for (const home of ['users', 'home', 'documents and settings']) {
    if (s.matchesIgnoreCase(at, home) && s.at(at + home.length) === separator) return at + home.length + 1;
  }
  return 0;
}

const SYSTEM_ROOTS = [
  'usr', 'lib', 'lib32', 'lib64', 'libx32', 'bin', 'sbin', 'etc', 'opt', 'proc', 'sys', 'dev', 'boot', 'run', 'var',
  'snap', 'nix', 'System', 'Library', 'Applications',
];

// systemRoot() is true when the rooted path whose first name starts at `at` lies in a folder the
// system owns: the same files on every machine, and no one's name (/usr/local/cuda/…, /etc/hosts,
// /proc/self/status, macOS's /System/…, /Library/…, /Applications/…). Not /tmp (torchinductor_alice),
// /var's per-user folders (macOS keeps each user's temporary files in /var/folders), nor /mnt,
// /srv or /data, which a user names.
function systemRoot(s, at) {
  for (const root of SYSTEM_ROOTS) {
    if (!s.matches(at, root) || s.at(at + root.length) !== '/') continue;
    if (root === 'var' && ['folders/', 'tmp/', 'mail/', 'spool/'].some((personal) => s.matches(at + 4, personal))) return false;
    return true;
  }
  return false;
}

// windowsSystemRoot() is the same for a drive's folders: C:\Windows\…, C:\Program Files (x86)\….
function windowsSystemRoot(s, at, separator) {
  for (const root of ['windows', 'program files (x86)', 'program files', 'programdata']) {
    const next = s.at(at + root.length);
    if (s.matchesIgnoreCase(at, root) && (next === separator || !isWindowsPathChar(next))) return true;
  }
  return false;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

// route() is true when a rooted path is a web route, not a file: under /api/ or a version
// (/v1/chat/completions), or after an HTTP method or "url:" (GET /users/123/profile; urllib3's "Max
// retries exceeded with url: /generate"). It reads a few characters either side; what it reads, no
// match inside the route can change, so a second pass decides the same.
function route(s) {
  const at = s.i + 1;
  if (s.matches(at, 'api/')) return true;
  if (s.at(at) === 'v' && isDigit(s.at(at + 1)) && (s.at(at + 2) === '/' || (isDigit(s.at(at + 2)) && s.at(at + 3) === '/'))) {
    return true;
  }
  if (s.i === s.begin || s.s[s.i - 1] !== ' ') return false;
  let word = s.i - 1;
  while (word > s.begin && s.i - word <= 8 && (isAlpha(s.s[word - 1]) || s.s[word - 1] === ':')) word--;
  // The method is a word of its own, none of it taken by a match: a second pass, which sees a
  // placeholder there, must decide the same.
  const afterMatch = s.afterMatch !== -1 && s.afterMatch >= word;
  if (afterMatch || (word > s.begin && !isSpace(s.s[word - 1]) && s.s[word - 1] !== '"' && s.s[word - 1] !== '[')) {
    return false;
  }
  const before = s.s.slice(word, s.i - 1);
  return METHODS.includes(before) || equalsIgnoreCase(before, 'url:');
}

// routeTemplateEnd() is the end of a route template's fixed part, one or two lower-case names
// (/users/:id, /orgs/:org/repos, /users/{id}/posts): up to the "/" before the parameter, else NONE.
// The caller copies that part as it is, so no match inside it changes what a second pass reads; such
// names hold nothing personal. It reads at most 68 characters.
function routeTemplateEnd(s) {
  const MAX_NAME = 32;
  let p = s.i;
  for (let names = 0; names < 2; names++) {
    const name = ++p;
    while (p < s.limit && p - name <= MAX_NAME && (isLower(s.s[p]) || s.s[p] === '_' || s.s[p] === '-')) p++;
    if (p === name || p - name > MAX_NAME || s.at(p) !== '/') return NONE;
    const next = s.at(p + 1);
    if ((next === ':' && (isAlpha(s.at(p + 2)) || s.placeholderAt(p + 2))) || next === '{') return p + 1;
  }
  return NONE;
}

// A Windows path from the end of its root (C:\, \\server\, %USERPROFILE%\) on. `home` is true when
// the root itself is the user's (a variable naming a folder of theirs).
function windowsPath(s, rootEnd, separator, home) {
  let end = rootEnd;
  let userEnd = 0;
  const user = windowsHomeUserAt(s, rootEnd, separator);
  if (user !== 0) {
    userEnd = end = userNameEnd(s, user, separator, true);
    home = true;
  }
  const chars = new PathChars(true);
  let dot = false; // whether the last name so far has one
  while (end < s.limit) {
    const c = s.s[end];
    if (c === ' ') {
      if (spaceContinues(s, end, separator, chars)) {
        end++;
        continue;
      }
      if (home && !dot && end > userEnd) {
        const file = fileNameAhead(s, end, separator, true);
        if (file !== NONE) end = file;
      }
      break;
    }
    if (chars.stop(s, end)) break;
    dot = c === '.' || (dot && c !== '\\' && c !== '/');
    end++;
  }
  return emitPath(s, end, separator, userEnd);
}

// A drive's path from the end of its root (C:\): the system's folders stay.
const drivePath = (s, rootEnd, separator) => !windowsSystemRoot(s, rootEnd, separator) && windowsPath(s, rootEnd, separator, false);

// homePathEnd() is where a POSIX path in a home folder ends, from `end` (the end of its root or its
// user's name) on: further down a space may be part of a name (/Users/Jane Doe/My Files/…), and a
// last name without a dot may run on into a file's ("secret plan.txt").
function homePathEnd(s, from, userEnd) {
  let end = from;
  if (s.at(end) === '/') end = s.end(s.t.posixEnd, end);
  while (s.at(end) === ' ' && spaceContinues(s, end, '/', new PathChars())) end = s.end(s.t.posixEnd, end + 1);
  if (s.at(end) !== ' ' || end <= userEnd) return end;
  for (let at = end; at > s.i && s.s[at - 1] !== '/'; at--) if (s.s[at - 1] === '.') return end;
  const file = fileNameAhead(s, end, '/', false);
  return file !== NONE ? file : end;
}

// A POSIX path in a home folder whose user's name starts at `user`.
function posixHomePath(s, user) {
  const userEnd = userNameEnd(s, user, '/', false);
  let end = homePathEnd(s, userEnd, userEnd);
  const counts = s.t.counts();
  if (counts.posixTrim[end] > s.i + 1 && counts.posixTrim[end] >= userEnd) end = counts.posixTrim[end]; // sentence punctuation
  return emitPath(s, end, '/', userEnd);
}

// envRootEnd() reads a path that starts at an environment variable naming a folder (%USERPROFILE%\,
// %HOMEDRIVE%%HOMEPATH%\, $HOME/, ${HOME}/, $env:USERPROFILE\): it returns where the path's segments
// start and its separator, or null.
function envRootEnd(s) {
  const MAX_NAME = 32;
  const nameEnd = (from, windows) => {
    // A variable's name starts with a letter or "_": "$100/month" is money.
    if (!isAlpha(s.at(from)) && s.at(from) !== '_') return 0;
    let p = from;
    while (p < s.limit && p - from <= MAX_NAME && (isWord(s.s[p]) || (windows && (s.s[p] === '(' || s.s[p] === ')')))) p++;
    return p - from <= MAX_NAME ? p : 0;
  };
  let p = s.i;
  if (s.at(p) === '%') {
    while (s.at(p) === '%') {
      const end = nameEnd(p + 1, true);
      if (end === 0 || s.at(end) !== '%') return null;
      p = end + 1;
    }
  } else { // '$'
    p++;
    const braced = s.at(p) === '{';
    if (braced) p++;
    if (s.matchesIgnoreCase(p, 'env:')) p += 4;
    const end = nameEnd(p, false);
    if (end === 0 || (braced && s.at(end) !== '}')) return null;
    p = braced ? end + 1 : end;
  }
  const separator = s.at(p);
  return separator === '\\' || separator === '/' ? { end: p + 1, separator } : null;
}

const isQuote = (c) => c === '"' || c === "'" || c === '`';

// bareUserEnd() is the end of "~alice" standing alone (cd ~alice): another user's home, as a word
// of its own, after a space or a quote: a name of letters, digits, "_", "-" and ".", then the
// word's end. Not "~5", "~=", "x ~ y", "Foo::~Foo()", "(~index)". Else NONE; it reads at most 34
// characters.
function bareUserEnd(s) {
  const MAX_NAME = 32;
  if (s.i > s.begin && !isSpace(s.s[s.i - 1]) && !isQuote(s.s[s.i - 1]) && !s.t.punct(s.i - 1)) return NONE;
  const name = s.i + 1;
  if (!isAlpha(s.at(name)) && s.at(name) !== '_') return NONE;
  let end = name;
  while (end < s.limit && end - name <= MAX_NAME && (isWord(s.s[end]) || s.s[end] === '-' || s.s[end] === '.')) end++;
  if (end - name > MAX_NAME) return NONE;
  // What ends the word is decided before a sentence's full stop is given back: a placeholder there
  // (what a first pass replaced) ends nothing.
  const next = s.at(end);
  const wordEnds = next === '\0' || isSpace(next) || isQuote(next) || next === ',' || next === ';' || next === ')' ||
    (next === ':' && s.at(end + 1) !== ':') || (end < s.limit && s.t.punct(end));
  if (!wordEnds) return NONE;
  while (s.s[end - 1] === '.') end--;
  return end;
}

// forwardUnc() reads //server/share/…, a UNC path written with forward slashes (Python, Java,
// smbclient): a server without dots (//cdn.example.com/x.js is a URL) or an IPv4 address, then at
// least two names. A Bazel label (//pkg/sub:target) is not a path.
function forwardUnc(s) {
  if (s.i > s.begin && s.s[s.i - 1] === ':') return false;
  const server = s.i + 2;
  let p = server;
  let dots = false;
  let letters = false;
  while (p < s.limit && p - server <= 63 && (isWord(s.s[p]) || s.s[p] === '-' || s.s[p] === '.')) {
    dots ||= s.s[p] === '.';
    letters ||= !(isDigit(s.s[p]) || s.s[p] === '.');
    p++;
  }
  if (p === server || p - server > 63 || (dots && (letters || !isDigit(s.s[server]))) || s.at(p) !== '/') return false;
  const share = ++p;
  while (p < s.limit && p - share <= 80 && s.s[p] !== '/' && isPosixPathChar(s.s[p]) && !s.t.punct(p)) p++;
  if (p === share || s.at(p) !== '/' || s.at(p + 1) === '/' || !isPosixPathChar(s.at(p + 1))) return false;
  let end = s.end(s.t.posixEnd, p);
  // A path running into what a first pass replaced was kept by it (a label then, or no path).
  if ((s.at(end) === ':' && s.glued(end + 1)) || s.placeholderAt(end)) return false;
  while (s.at(end) === ' ' && spaceContinues(s, end, '/', new PathChars())) end = s.end(s.t.posixEnd, end + 1);
  const counts = s.t.counts();
  if (counts.posixTrim[end] > p) end = counts.posixTrim[end];
  return emitPath(s, end, '/', 0);
}

// relativeHome() reads, at the separator after its first word, a home folder written from the root
// without it (Users/jdoe/x, Users\jdoe\x.txt, home/jdoe/x: tar, zip and rsync listings). The word
// starts the path (a project's app/home/… is the glued rule's), spelt as the systems spell it, and a
// name and another segment follow it: home/index.html is a page. The word, already copied, is taken
// back from the output.
function relativeHome(s) {
  const separator = s.s[s.i];
  let word = '';
  for (const home of ['Users', 'home']) {
    if ((home === 'Users' || separator === '/') && s.i - s.begin >= home.length && s.s.startsWith(home, s.i - home.length)) word = home;
  }
  if (word === '') return false;
  const start = s.i - word.length;
  if (start > s.begin) {
    const before = s.s[start - 1];
    if (!(isSpace(before) || '"\'`([=:'.includes(before) || s.t.punct(start - 1))) return false;
  }
  if (s.writtenTail(word.length) !== word) return false;
  const user = s.i + 1;
  const inPath = separator === '/' ? isPosixPathChar : isWindowsPathChar;
  let nameEnd = user;
  while (nameEnd < s.limit && nameEnd < user + MAX_USER_NAME && s.s[nameEnd] !== '/' && s.s[nameEnd] !== '\\' &&
         inPath(s.s[nameEnd]) && !s.t.punct(nameEnd)) {
    nameEnd++;
  }
  const next = s.at(nameEnd + 1);
  if (nameEnd === user || s.at(nameEnd) !== separator || next === separator || !inPath(next)) return false;
  const separatorAt = s.i;
  s.unwrite(word.length);
  s.i = start;
  if (separator === '/' ? posixHomePath(s, user) : windowsPath(s, start, separator, false)) return true;
  s.append(word);
  s.i = separatorAt;
  return false;
}

export function tryGluedHomePath(s) {
  // Case as the systems write them (Linux's home, macOS's and Windows' Users), so a project's own
  // app/users/views.py stays; a last segment with a dot is a file (templates/home/index.html).
  const separator = s.s[s.i];
  let user = 0;
  for (const home of ['home', 'Users']) {
    if (s.matches(s.i + 1, home) && s.at(s.i + 1 + home.length) === separator) user = s.i + home.length + 2;
  }
  if (user === 0) return relativeHome(s);
  const inPath = separator === '/' ? isPosixPathChar : isWindowsPathChar;
  let nameEnd = user;
  while (nameEnd < s.limit && nameEnd < user + MAX_USER_NAME && s.s[nameEnd] !== '/' && s.s[nameEnd] !== '\\' && inPath(s.s[nameEnd])) {
    nameEnd++;
  }
  if (nameEnd === user) return false;
  // A name that ends the path cannot be told from a file when it has a dot; one that runs into what
  // a first pass replaced was no path's end then either.
  const last = s.at(nameEnd) !== '/' && s.at(nameEnd) !== '\\';
  if (last && (s.placeholderAt(nameEnd) || s.s.slice(user, nameEnd).includes('.'))) return false;
  return separator === '/' ? tryPath(s, true) : windowsPath(s, s.i + 1, separator, false);
}

export function tryPath(s, afterScheme) {
  const c = s.at(s.i);
  // Windows: C:\…, C:/…, \\server\share\…; a drive letter is not the end of a file name or a path.
  const afterName = s.i > s.begin && (s.s[s.i - 1] === '.' || s.s[s.i - 1] === '/' || s.s[s.i - 1] === '\\');
  if (isAlpha(c) && !afterName && s.at(s.i + 1) === ':' && (s.at(s.i + 2) === '\\' || s.at(s.i + 2) === '/')) {
    return drivePath(s, s.i + 3, s.at(s.i + 2));
  }
  // Win32 namespaces before a drive or a share (\\?\C:\…, \\.\C:\…, \\?\UNC\server\…); a named
  // pipe (\\.\pipe\docker_engine, //./pipe/…) is the system's.
  const namespaced = (c === '\\' || c === '/') && s.at(s.i + 1) === c && (s.at(s.i + 2) === '?' || s.at(s.i + 2) === '.') &&
    s.at(s.i + 3) === c;
  if (namespaced) {
    const p = s.i + 4;
    if (s.matchesIgnoreCase(p, 'pipe') && s.at(p + 4) === c) {
      s.copy(p);
      return true;
    }
    if (c === '\\') {
      const driveSeparator = s.at(p + 2);
      if (isAlpha(s.at(p)) && s.at(p + 1) === ':' && (driveSeparator === '\\' || driveSeparator === '/')) {
        return drivePath(s, p + 3, driveSeparator);
      }
      if (s.matchesIgnoreCase(p, 'unc\\')) return windowsPath(s, p + 4, '\\', false);
      return isWindowsPathChar(s.at(p)) && windowsPath(s, p, '\\', false);
    }
  }
  if (c === '\\') {
    if (s.at(s.i + 1) === '\\') return isWindowsPathChar(s.at(s.i + 2)) && windowsPath(s, s.i + 2, '\\', false);
    // \Users\jdoe\…: a home folder on the current drive.
    return windowsHomeUserAt(s, s.i + 1, '\\') !== 0 && windowsPath(s, s.i + 1, '\\', false);
  }
  // Environment variables naming home and data folders: whatever follows is the user's.
  if (c === '%' || c === '$') {
    const root = envRootEnd(s);
    if (root === null) return false;
    if (root.separator === '\\') return windowsPath(s, root.end, '\\', true);
    return emitPath(s, homePathEnd(s, s.end(s.t.posixEnd, root.end), 0), '/', 0);
  }
  // POSIX: /a/b…, ./a/b, ../a/b, ~/…, ~user/…, ~user; one segment ("/tmp", "km/h") is not enough.
  const relative = c === '.' && (s.at(s.i + 1) === '/' || (s.at(s.i + 1) === '.' && s.at(s.i + 2) === '/'));
  if (c !== '~' && c !== '/' && !relative) return false;
  // "//" and "./" inside other text (a URL, a relative path) start no path of their own, but for a
  // home folder (data//home/alice/…, lib/./Users/alice/…).
  if (c === '/' && !afterScheme && s.i > s.begin && (s.s[s.i - 1] === '/' || s.s[s.i - 1] === '.')) {
    const user = posixHomeUserAt(s, s.i + 1);
    return user !== 0 && posixHomePath(s, user);
  }
  if (c === '/' && !afterScheme && s.at(s.i + 1) === '/') {
    // Doubled slashes (a joined path) before a home folder or the system's; else a share.
    let root = s.i + 1;
    while (s.at(root) === '/') root++;
    const user = posixHomeUserAt(s, root);
    if (user !== 0) return posixHomePath(s, user);
    return root === s.i + 2 && !systemRoot(s, root) && forwardUnc(s);
  }
  if (c === '/') {
    const user = posixHomeUserAt(s, s.i + 1);
    if (user !== 0) return posixHomePath(s, user);
  }
  // What the system owns, and web routes, name no one.
  if (c === '/' && (systemRoot(s, s.i + 1) || (!afterScheme && route(s)))) return false;
  if (c === '/' && !afterScheme) {
    const fixedEnd = routeTemplateEnd(s);
    if (fixedEnd !== NONE) {
      s.copy(fixedEnd);
      return true;
    }
  }
  let end = s.end(s.t.posixEnd, s.i + 1);
  const counts = s.t.counts();
  if (c === '~') {
    if (count(counts.slash, s.i, end) === 0) {
      const userEnd = bareUserEnd(s);
      return userEnd !== NONE && emitPath(s, userEnd, '/', userEnd);
    }
    end = homePathEnd(s, end, 0);
  }
  if (counts.posixTrim[end] > s.i + 1) end = counts.posixTrim[end]; // sentence punctuation
  const slashes = count(counts.slash, s.i, end);
  const rooted = c === '/' && isPosixPathChar(s.at(s.i + 1)) && s.at(s.i + 1) !== '/';
  if (((rooted || relative) && slashes >= 2) || (c === '~' && slashes >= 1) || (afterScheme && c === '/')) {
    return emitPath(s, end, '/', 0);
  }
  return false;
}
