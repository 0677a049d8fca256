// scrub/paths.cpp: file system paths. A path goes whole, since any folder may be named after its
// owner; what is kept after <path> is a source file's name, or the part below a package folder, so a
// stack trace keeps its shape without its user. Paths in the system's own folders (/usr/…, /etc/…,
// C:\Windows\…, C:\Program Files\…) and web routes (/v1/…, GET /users/123) name no one and stay; a
// home folder inside one is still found (at its separator, glued to the word before).
// Longer than most files: it is one detector, whose cases (POSIX, Windows, UNC, file URLs,
// package folders) share the walk along a path and read best side by side.
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

// The longest user name a home folder's segment is assumed to hold when no separator ends it.
constexpr size_t kMaxUserName = 64;
// How far a space inside a path may be from the next separator and still belong to the path.
constexpr size_t kMaxSpacedSegment = 256;
constexpr size_t kNone = std::string_view::npos;

// A file name worth keeping in a stack trace: source code, not a user's documents.
bool IsSourceFileName(std::string_view name) {
  static constexpr std::string_view kExtensions[] = {
      ".py",  ".pyx", ".js",  ".mjs", ".cjs",   ".ts",   ".tsx",  ".jsx", ".go",  ".rs",  ".java", ".kt",
      ".scala", ".rb", ".php", ".c",  ".cc",    ".cpp",  ".cxx",  ".h",   ".hpp", ".cs",  ".swift", ".m",
      ".mm",  ".lua", ".pl",  ".sh",  ".r",     ".jl",   ".ex",   ".exs", ".erl", ".hs",  ".ml",  ".dart",
      ".vue", ".svelte", ".ipynb",
  };
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  for (std::string_view ext : kExtensions) {
    if (name.size() - dot == ext.size() && EndsWithIgnoreCase(name, ext)) return true;
  }
  return false;
}

// KeptTail() is what of a path survives: from a package folder on (library code, the same on every
// machine), or a source file's name; empty when nothing may be kept. Nothing at or before
// `private_end` (the end of a home folder's user name) is ever kept, nor a tail that climbs out of
// its package with "..".
std::string_view KeptTail(std::string_view path, char separator, size_t private_end) {
  static constexpr std::string_view kPackageRoots[] = {"site-packages", "dist-packages", "node_modules", "mod"};
  size_t segment_end = path.size();
  while (segment_end > 0) {
    const size_t segment_start = path.rfind(separator, segment_end - 1);
    if (segment_start == std::string_view::npos || segment_start < private_end) break;
    const std::string_view segment = path.substr(segment_start + 1, segment_end - segment_start - 1);
    for (std::string_view root : kPackageRoots) {
      const bool go_mod = root == "mod" && segment_start >= 4 && path.compare(segment_start - 4, 4, "/pkg") == 0;
      if (segment != root || (root == "mod" && !go_mod)) continue;
      const std::string_view tail = path.substr(root == "mod" ? segment_start - 4 : segment_start);
      if (tail.find("..") == std::string_view::npos) return tail;
    }
    segment_end = segment_start;
  }
  // Windows takes '/' as well as '\\' between names.
  const size_t last = separator == '/' ? path.rfind('/') : path.find_last_of("\\/");
  if (last == std::string_view::npos || last < private_end) return {};
  const std::string_view name = path.substr(last);
  return IsSourceFileName(name.substr(1)) ? name : std::string_view();
}

// EmitPath() replaces the path s[i, end) but for its kept tail, which the scan then reads on like
// any text (an e-mail in a package's folder names still goes), glued to the placeholder as a second
// pass will read it. A path that is all package code (/node_modules/x/index.js) is not replaced.
bool EmitPath(Scan& s, size_t end, char separator, size_t user_end) {
  const std::string_view path = s.s.substr(s.i, end - s.i);
  const std::string_view tail = KeptTail(path, separator, user_end > s.i ? user_end - s.i : 0);
  const bool package = tail.find_first_of("/\\", 1) != std::string_view::npos;
  if (tail.size() == path.size() && package) return false;
  s.out.append(kPath);
  s.i = end - tail.size();
  return true;
}

// InNameSpace() is true for a byte of a no-break space (U+00A0) or an ideographic space (U+3000),
// which a user name may hold where others type a space ("Jane Doe").
bool InNameSpace(const Scan& s, size_t at) {
  if (!IsHigh(s.s[at])) return false;
  for (size_t back = 0; back <= 2 && back <= at; ++back) {
    if ((back <= 1 && s.Matches(at - back, "\xC2\xA0")) || s.Matches(at - back, "\xE3\x80\x80")) return true;
  }
  return false;
}

// PathChars says which bytes end a path even after a space: neither a space nor a character of the
// path's kind. In a Windows path "(" and ")" belong to names while they pair up ("Program Files
// (x86)", "Jane Doe (Work)"); a ")" that closes nothing closes the prose around the path ("(see
// C:\x\y.txt)"). In a user name (`name`), an apostrophe between letters (O'Brien) and a no-break or
// ideographic space are the name's. Stop() counts parentheses, so it reads each byte once, in order.
struct PathChars {
  bool windows = false;
  bool name = false;
  int depth = 0;

  bool Stop(const Scan& s, size_t at) {
    const char c = s.s[at];
    if (c == ' ') return false;
    if (name && (InNameSpace(s, at) || (c == '\'' && at > 0 && IsAlpha(s.s[at - 1]) && IsAlpha(s.At(at + 1))))) {
      return false;
    }
    if (windows && c == '(') {
      ++depth;
      return false;
    }
    if (windows && c == ')') {
      if (depth == 0) return true;
      --depth;
      return false;
    }
    return s.t.Punct(at) || !(windows ? IsWindowsPathChar(c) : IsPosixPathChar(c));
  }
};

// StartsPath() is true for a character that, after a space, starts a path of its own rather than
// continuing one: a separator, or a variable or home root ("/a/x /b/y", "%APPDATA%\a %APPDATA%\b").
bool StartsPath(char c, char separator) { return c == separator || c == '%' || c == '$' || c == '~'; }

// SeparatorAhead() is the first `separator` in s[from, from + most), if no stop comes before it and
// no word on the way starts a path of its own, else kNone. Both callers read at most `most` bytes,
// and what they read up to a separator the path then takes, so the scan stays linear.
size_t SeparatorAhead(const Scan& s, size_t from, size_t most, char separator, PathChars chars) {
  for (size_t at = from; at < s.limit && at < from + most; ++at) {
    if (s.s[at - 1] == ' ' && StartsPath(s.s[at], separator)) return kNone;
    if (s.s[at] == separator) return at;
    if (chars.Stop(s, at)) return kNone;
  }
  return kNone;
}

// SpaceContinues() is true when the space at `at` is inside a path: another separator follows soon,
// with only path characters and spaces before it ("C:\Program Files\…", "/Users/Jane Doe/…").
bool SpaceContinues(const Scan& s, size_t at, char separator, PathChars chars) {
  return SeparatorAhead(s, at + 1, kMaxSpacedSegment, separator, chars) != kNone;
}

// HasExtension() is true for a file name's shape: a name, a dot, then 1 to 5 letters and digits
// with a letter among them (plan.txt, Review.xlsx; not 1.5, e.g).
bool HasExtension(std::string_view word) {
  const size_t dot = word.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || word.size() - dot < 2 || word.size() - dot > 6) return false;
  bool letter = false;
  for (const char c : word.substr(dot + 1)) {
    if (!IsAlnum(c)) return false;
    letter = letter || IsAlpha(c);
  }
  return letter;
}

// FileNameAhead() is, at a space that ends a home folder's path whose last name has no dot yet, the
// end of the file name that name continues into ("secret plan.txt", "Salary Review.xlsx"): over at
// most three more words without dots, the last with an extension; else kNone. It reads at most
// kMaxSpacedSegment bytes, and what it returns the path takes.
size_t FileNameAhead(const Scan& s, size_t at, char separator, bool windows) {
  PathChars chars{windows};
  size_t p = at;
  for (int words = 0; words < 3 && s.At(p) == ' '; ++words) {
    const size_t word = ++p;
    if (StartsPath(s.At(word), separator)) return kNone;
    bool dot = false;
    while (p < s.limit && p < at + kMaxSpacedSegment && s.s[p] != ' ' && s.s[p] != '/' && s.s[p] != '\\' &&
           !chars.Stop(s, p)) {
      dot = dot || s.s[p] == '.';
      ++p;
    }
    // A word cut by the bound, or running into a separator or what a first pass replaced, is no
    // file name of this path.
    if (p == word || p == at + kMaxSpacedSegment || s.At(p) == '/' || s.At(p) == '\\' || s.PlaceholderAt(p)) return kNone;
    size_t end = p;
    while (end > word && (s.s[end - 1] == '.' || s.s[end - 1] == ',')) --end;  // sentence punctuation
    if (dot) return HasExtension(s.s.substr(word, end - word)) ? end : kNone;
  }
  return kNone;
}

// UserNameEnd() is where the user name that starts a home folder's segment ends. Names may hold
// spaces ("Jane Doe"): the name runs to the next separator when one comes soon; else, at the end of
// the path, to the end of the line when that is as near (a name cannot be told from the words after
// it, so both go); else over at most three words. A word that starts a path of its own ends it.
size_t UserNameEnd(const Scan& s, size_t start, char separator, bool windows) {
  const PathChars name{windows, true};
  const size_t next = SeparatorAhead(s, start, kMaxUserName + 1, separator, name);
  if (next != kNone) return next;
  auto stop = [&](size_t at, PathChars& chars) {
    return chars.Stop(s, at) || (s.s[at] == ' ' && StartsPath(s.At(at + 1), separator));
  };
  size_t end = start;
  PathChars line = name;
  while (end < s.limit && end <= start + kMaxUserName && !stop(end, line)) ++end;
  if (end > start + kMaxUserName) {
    end = start;
    PathChars words = name;
    for (int spaces = 0; end < s.limit && !stop(end, words) && !(s.s[end] == ' ' && ++spaces == 3);) ++end;
  }
  while (end > start && s.s[end - 1] == ' ') --end;
  return end;
}

// PosixHomeUserAt() is where the owner's name starts when a home-like folder begins at `at`, or 0:
// homes, and the disks and volumes named after their owner or by them. Spelt as the systems spell
// them: /users/123/profile is a web route.
size_t PosixHomeUserAt(const Scan& s, size_t at) {
  for (std::string_view home : {"home/", "Users/", "Volumes/", "media/", "run/media/"}) {
    if (s.Matches(at, home)) return at + home.size();
  }
  return 0;
}

// WindowsHomeUserAt() is the same on Windows, where case does not matter: C:\users\jdoe is a home.
size_t WindowsHomeUserAt(const Scan& s, size_t at, char separator) {
  for (std::string_view home : {"users", "home", "documents and settings"}) {
    if (s.MatchesIgnoreCase(at, home) && s.At(at + home.size()) == separator) return at + home.size() + 1;
  }
  return 0;
}

// SystemRoot() is true when the rooted path whose first name starts at `at` lies in a folder the
// system owns: the same files on every machine, and no one's name (/usr/local/cuda/…, /etc/hosts,
// /proc/self/status, macOS's /System/…, /Library/…, /Applications/…). Not /tmp (torchinductor_alice),
// /var's per-user folders (macOS keeps each user's temporary files in /var/folders), nor /mnt,
// /srv or /data, which a user names.
bool SystemRoot(const Scan& s, size_t at) {
  static constexpr std::string_view kRoots[] = {
      "usr", "lib", "lib32", "lib64", "libx32", "bin", "sbin", "etc", "opt", "proc", "sys", "dev", "boot", "run",
      "var", "snap", "nix", "System", "Library", "Applications",
  };
  for (std::string_view root : kRoots) {
    if (!s.Matches(at, root) || s.At(at + root.size()) != '/') continue;
    if (root == "var") {
      for (std::string_view personal : {"folders/", "tmp/", "mail/", "spool/"}) {
        if (s.Matches(at + 4, personal)) return false;
      }
    }
    return true;
  }
  return false;
}

// WindowsSystemRoot() is the same for a drive's folders: C:\Windows\…, C:\Program Files (x86)\….
bool WindowsSystemRoot(const Scan& s, size_t at, char separator) {
  for (std::string_view root : {"windows", "program files (x86)", "program files", "programdata"}) {
    const char next = s.At(at + root.size());
    if (s.MatchesIgnoreCase(at, root) && (next == separator || !IsWindowsPathChar(next))) return true;
  }
  return false;
}

// Route() is true when a rooted path is a web route, not a file: under /api/ or a version
// (/v1/chat/completions), or after an HTTP method or "url:" (GET /users/123/profile; urllib3's "Max
// retries exceeded with url: /generate"). It reads a few bytes either side; what it reads, no match
// inside the route can change, so a second pass decides the same.
bool Route(const Scan& s) {
  const size_t at = s.i + 1;
  if (s.Matches(at, "api/")) return true;
  if (s.At(at) == 'v' && IsDigit(s.At(at + 1)) && (s.At(at + 2) == '/' || (IsDigit(s.At(at + 2)) && s.At(at + 3) == '/'))) {
    return true;
  }
  if (s.i == s.begin || s.s[s.i - 1] != ' ') return false;
  size_t word = s.i - 1;
  while (word > s.begin && s.i - word <= 8 && (IsAlpha(s.s[word - 1]) || s.s[word - 1] == ':')) --word;
  // The method is a word of its own, none of it taken by a match: a second pass, which sees a
  // placeholder there, must decide the same.
  const bool after_match = s.after_match != static_cast<size_t>(-1) && s.after_match >= word;
  if (after_match || (word > s.begin && !IsSpace(s.s[word - 1]) && s.s[word - 1] != '"' && s.s[word - 1] != '[')) {
    return false;
  }
  const std::string_view before = s.s.substr(word, s.i - 1 - word);
  for (std::string_view method : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
    if (before == method) return true;
  }
  return EqualsIgnoreCase(before, "url:");
}

// RouteTemplateEnd() is the end of a route template's fixed part, one or two lower-case names
// (/users/:id, /orgs/:org/repos, /users/{id}/posts): up to the "/" before the parameter, else kNone.
// The caller copies that part as it is, so no match inside it changes what a second pass reads; such
// names hold nothing personal. It reads at most 68 bytes.
size_t RouteTemplateEnd(const Scan& s) {
  constexpr size_t kMaxName = 32;
  size_t p = s.i;
  for (int names = 0; names < 2; ++names) {
    const size_t name = ++p;
    while (p < s.limit && p - name <= kMaxName && (IsLower(s.s[p]) || s.s[p] == '_' || s.s[p] == '-')) ++p;
    if (p == name || p - name > kMaxName || s.At(p) != '/') return kNone;
    const char next = s.At(p + 1);
    if ((next == ':' && (IsAlpha(s.At(p + 2)) || s.PlaceholderAt(p + 2))) || next == '{') return p + 1;
  }
  return kNone;
}

// A Windows path from the end of its root (C:\, \\server\, %USERPROFILE%\) on. `home` is true when
// the root itself is the user's (a variable naming a folder of theirs).
bool WindowsPath(Scan& s, size_t root_end, char separator, bool home) {
  size_t end = root_end;
  size_t user_end = 0;
  if (const size_t user = WindowsHomeUserAt(s, root_end, separator); user != 0) {
    user_end = end = UserNameEnd(s, user, separator, true);
    home = true;
  }
  PathChars chars{true};
  bool dot = false;  // whether the last name so far has one
  while (end < s.limit) {
    const char c = s.s[end];
    if (c == ' ') {
      if (SpaceContinues(s, end, separator, chars)) {
        ++end;
        continue;
      }
      if (home && !dot && end > user_end) {
        const size_t file = FileNameAhead(s, end, separator, true);
        if (file != kNone) end = file;
      }
      break;
    }
    if (chars.Stop(s, end)) break;
    dot = c == '.' || (dot && c != '\\' && c != '/');
    ++end;
  }
  return EmitPath(s, end, separator, user_end);
}

// A drive's path from the end of its root (C:\): the system's folders stay.
bool DrivePath(Scan& s, size_t root_end, char separator) {
  return !WindowsSystemRoot(s, root_end, separator) && WindowsPath(s, root_end, separator, false);
}

// HomePathEnd() is where a POSIX path in a home folder ends, from `end` (the end of its root or its
// user's name) on: further down a space may be part of a name (/Users/Jane Doe/My Files/…), and a
// last name without a dot may run on into a file's ("secret plan.txt").
size_t HomePathEnd(const Scan& s, size_t end, size_t user_end) {
  if (s.At(end) == '/') end = s.End(s.t.posix_end, end);
  while (s.At(end) == ' ' && SpaceContinues(s, end, '/', PathChars{})) end = s.End(s.t.posix_end, end + 1);
  if (s.At(end) != ' ' || end <= user_end) return end;
  for (size_t at = end; at > s.i && s.s[at - 1] != '/'; --at) {
    if (s.s[at - 1] == '.') return end;
  }
  const size_t file = FileNameAhead(s, end, '/', false);
  return file != kNone ? file : end;
}

// A POSIX path in a home folder whose user's name starts at `user`.
bool PosixHomePath(Scan& s, size_t user) {
  const size_t user_end = UserNameEnd(s, user, '/', false);
  size_t end = HomePathEnd(s, user_end, user_end);
  const Tables& counts = s.t.Counts();
  if (counts.posix_trim[end] > s.i + 1 && counts.posix_trim[end] >= user_end) end = counts.posix_trim[end];  // sentence punctuation
  return EmitPath(s, end, '/', user_end);
}

// EnvRootEnd() reads a path that starts at an environment variable naming a folder (%USERPROFILE%\,
// %HOMEDRIVE%%HOMEPATH%\, $HOME/, ${HOME}/, $env:USERPROFILE\): it returns where the path's
// segments start and sets the separator, or returns 0.
size_t EnvRootEnd(const Scan& s, char& separator) {
  constexpr size_t kMaxName = 32;
  auto name_end = [&](size_t from, bool windows) {
    size_t p = from;
    // A variable's name starts with a letter or "_": "$100/month" is money.
    if (!IsAlpha(s.At(from)) && s.At(from) != '_') return size_t{0};
    while (p < s.limit && p - from <= kMaxName && (IsWord(s.s[p]) || (windows && (s.s[p] == '(' || s.s[p] == ')')))) ++p;
    return p - from <= kMaxName ? p : 0;
  };
  size_t p = s.i;
  if (s.At(p) == '%') {
    while (s.At(p) == '%') {
      const size_t end = name_end(p + 1, true);
      if (end == 0 || s.At(end) != '%') return 0;
      p = end + 1;
    }
  } else {  // '$'
    ++p;
    const bool braced = s.At(p) == '{';
    if (braced) ++p;
    if (s.MatchesIgnoreCase(p, "env:")) p += 4;
    const size_t end = name_end(p, false);
    if (end == 0 || (braced && s.At(end) != '}')) return 0;
    p = braced ? end + 1 : end;
  }
  separator = s.At(p);
  return separator == '\\' || separator == '/' ? p + 1 : 0;
}

// BareUserEnd() is the end of "~alice" standing alone (cd ~alice): another user's home, as a word of
// its own, after a space or a quote: a name of letters, digits, "_", "-" and ".", then the word's
// end. Not "~5", "~=", "x ~ y", "Foo::~Foo()", "(~index)". Else kNone; it reads at most 34 bytes.
size_t BareUserEnd(const Scan& s) {
  constexpr size_t kMaxName = 32;
  auto quote = [](char c) { return c == '"' || c == '\'' || c == '`'; };
  if (s.i > s.begin && !IsSpace(s.s[s.i - 1]) && !quote(s.s[s.i - 1]) && !s.t.Punct(s.i - 1)) return kNone;
  const size_t name = s.i + 1;
  if (!IsAlpha(s.At(name)) && s.At(name) != '_') return kNone;
  size_t end = name;
  while (end < s.limit && end - name <= kMaxName && (IsWord(s.s[end]) || s.s[end] == '-' || s.s[end] == '.')) ++end;
  if (end - name > kMaxName) return kNone;
  // What ends the word is decided before a sentence's full stop is given back: a placeholder there
  // (what a first pass replaced) ends nothing.
  const char next = s.At(end);
  const bool word_ends = next == '\0' || IsSpace(next) || quote(next) || next == ',' || next == ';' || next == ')' ||
                         (next == ':' && s.At(end + 1) != ':') || (end < s.limit && s.t.Punct(end));
  if (!word_ends) return kNone;
  while (s.s[end - 1] == '.') --end;
  return end;
}

// ForwardUnc() reads //server/share/…, a UNC path written with forward slashes (Python, Java,
// smbclient): a server without dots (//cdn.example.com/x.js is a URL) or an IPv4 address, then at
// least two names. A Bazel label (//pkg/sub:target) is not a path.
bool ForwardUnc(Scan& s) {
  if (s.i > s.begin && s.s[s.i - 1] == ':') return false;
  const size_t server = s.i + 2;
  size_t p = server;
  bool dots = false, letters = false;
  while (p < s.limit && p - server <= 63 && (IsWord(s.s[p]) || s.s[p] == '-' || s.s[p] == '.')) {
    dots = dots || s.s[p] == '.';
    letters = letters || !(IsDigit(s.s[p]) || s.s[p] == '.');
    ++p;
  }
  if (p == server || p - server > 63 || (dots && (letters || !IsDigit(s.s[server]))) || s.At(p) != '/') return false;
  const size_t share = ++p;
  while (p < s.limit && p - share <= 80 && s.s[p] != '/' && IsPosixPathChar(s.s[p]) && !s.t.Punct(p)) ++p;
  if (p == share || s.At(p) != '/' || s.At(p + 1) == '/' || !IsPosixPathChar(s.At(p + 1))) return false;
  size_t end = s.End(s.t.posix_end, p);
  // A path running into what a first pass replaced was kept by it (a label then, or no path).
  if ((s.At(end) == ':' && s.Glued(end + 1)) || s.PlaceholderAt(end)) return false;
  while (s.At(end) == ' ' && SpaceContinues(s, end, '/', PathChars{})) end = s.End(s.t.posix_end, end + 1);
  const Tables& counts = s.t.Counts();
  if (counts.posix_trim[end] > p) end = counts.posix_trim[end];
  return EmitPath(s, end, '/', 0);
}

// RelativeHome() reads, at the separator after its first word, a home folder written from the root
// without it (Users/jdoe/x, Users\jdoe\x.txt, home/jdoe/x: tar, zip and rsync listings). The word
// starts the path (a project's app/home/… is the glued rule's), spelt as the systems spell it, and a
// name and another segment follow it: home/index.html is a page. The word, already copied, is taken
// back from the output.
bool RelativeHome(Scan& s) {
  const char separator = s.s[s.i];
  std::string_view word;
  for (std::string_view home : {std::string_view("Users"), std::string_view("home")}) {
    if ((home == "Users" || separator == '/') && s.i - s.begin >= home.size() &&
        s.s.compare(s.i - home.size(), home.size(), home) == 0) {
      word = home;
    }
  }
  if (word.empty()) return false;
  const size_t start = s.i - word.size();
  if (start > s.begin) {
    const char before = s.s[start - 1];
    if (!(IsSpace(before) || before == '"' || before == '\'' || before == '`' || before == '(' || before == '[' ||
          before == '=' || before == ':' || s.t.Punct(start - 1))) {
      return false;
    }
  }
  if (s.out.size() < word.size() || s.out.compare(s.out.size() - word.size(), word.size(), word) != 0) return false;
  const size_t user = s.i + 1;
  size_t name_end = user;
  while (name_end < s.limit && name_end < user + kMaxUserName && s.s[name_end] != '/' && s.s[name_end] != '\\' &&
         (separator == '/' ? IsPosixPathChar(s.s[name_end]) : IsWindowsPathChar(s.s[name_end])) && !s.t.Punct(name_end)) {
    ++name_end;
  }
  const char next = s.At(name_end + 1);
  if (name_end == user || s.At(name_end) != separator || next == separator ||
      !(separator == '/' ? IsPosixPathChar(next) : IsWindowsPathChar(next))) {
    return false;
  }
  const size_t separator_at = s.i;
  s.out.resize(s.out.size() - word.size());
  s.i = start;
  if (separator == '/' ? PosixHomePath(s, user) : WindowsPath(s, start, separator, false)) return true;
  s.out.append(word);
  s.i = separator_at;
  return false;
}

}  // namespace

bool TryGluedHomePath(Scan& s) {
  // Case as the systems write them (Linux's home, macOS's and Windows' Users), so a project's own
  // app/users/views.py stays; a last segment with a dot is a file (templates/home/index.html).
  const char separator = s.s[s.i];
  size_t user = 0;
  for (std::string_view home : {std::string_view("home"), std::string_view("Users")}) {
    if (s.Matches(s.i + 1, home) && s.At(s.i + 1 + home.size()) == separator) user = s.i + home.size() + 2;
  }
  if (user == 0) return RelativeHome(s);
  size_t name_end = user;
  while (name_end < s.limit && name_end < user + kMaxUserName && s.s[name_end] != '/' && s.s[name_end] != '\\' &&
         (separator == '/' ? IsPosixPathChar(s.s[name_end]) : IsWindowsPathChar(s.s[name_end]))) {
    ++name_end;
  }
  if (name_end == user) return false;
  // A name that ends the path cannot be told from a file when it has a dot; one that runs into what
  // a first pass replaced was no path's end then either.
  const bool last = s.At(name_end) != '/' && s.At(name_end) != '\\';
  if (last && (s.PlaceholderAt(name_end) || s.s.substr(user, name_end - user).find('.') != std::string_view::npos)) return false;
  return separator == '/' ? TryPath(s, /*after_scheme=*/true) : WindowsPath(s, s.i + 1, separator, false);
}

bool TryPath(Scan& s, bool after_scheme) {
  const char c = s.At(s.i);
  // Windows: C:\…, C:/…, \\server\share\…; a drive letter is not the end of a file name or a path.
  const bool after_name = s.i > s.begin && (s.s[s.i - 1] == '.' || s.s[s.i - 1] == '/' || s.s[s.i - 1] == '\\');
  if (IsAlpha(c) && !after_name && s.At(s.i + 1) == ':' && (s.At(s.i + 2) == '\\' || s.At(s.i + 2) == '/')) {
    return DrivePath(s, s.i + 3, s.At(s.i + 2));
  }
  // Win32 namespaces before a drive or a share (\\?\C:\…, \\.\C:\…, \\?\UNC\server\…); a named
  // pipe (\\.\pipe\docker_engine, //./pipe/…) is the system's.
  const bool namespaced =
      (c == '\\' || c == '/') && s.At(s.i + 1) == c && (s.At(s.i + 2) == '?' || s.At(s.i + 2) == '.') && s.At(s.i + 3) == c;
  if (namespaced) {
    const size_t p = s.i + 4;
    if (s.MatchesIgnoreCase(p, "pipe") && s.At(p + 4) == c) {
      s.Copy(p);
      return true;
    }
    if (c == '\\') {
      const char drive_separator = s.At(p + 2);
      if (IsAlpha(s.At(p)) && s.At(p + 1) == ':' && (drive_separator == '\\' || drive_separator == '/')) {
        return DrivePath(s, p + 3, drive_separator);
      }
      if (s.MatchesIgnoreCase(p, "unc\\")) return WindowsPath(s, p + 4, '\\', false);
      return IsWindowsPathChar(s.At(p)) && WindowsPath(s, p, '\\', false);
    }
  }
  if (c == '\\') {
    if (s.At(s.i + 1) == '\\') return IsWindowsPathChar(s.At(s.i + 2)) && WindowsPath(s, s.i + 2, '\\', false);
    // \Users\jdoe\…: a home folder on the current drive.
    return WindowsHomeUserAt(s, s.i + 1, '\\') != 0 && WindowsPath(s, s.i + 1, '\\', false);
  }
  // Environment variables naming home and data folders: whatever follows is the user's.
  if (c == '%' || c == '$') {
    char separator = '\0';
    const size_t root_end = EnvRootEnd(s, separator);
    if (root_end == 0) return false;
    if (separator == '\\') return WindowsPath(s, root_end, separator, true);
    return EmitPath(s, HomePathEnd(s, s.End(s.t.posix_end, root_end), 0), '/', 0);
  }
  // POSIX: /a/b…, ./a/b, ../a/b, ~/…, ~user/…, ~user; one segment ("/tmp", "km/h") is not enough.
  const bool relative = c == '.' && (s.At(s.i + 1) == '/' || (s.At(s.i + 1) == '.' && s.At(s.i + 2) == '/'));
  if (c != '~' && c != '/' && !relative) return false;
  // "//" and "./" inside other text (a URL, a relative path) start no path of their own, but for a
  // home folder (data//home/alice/…, lib/./Users/alice/…).
  if (c == '/' && !after_scheme && s.i > s.begin && (s.s[s.i - 1] == '/' || s.s[s.i - 1] == '.')) {
    const size_t user = PosixHomeUserAt(s, s.i + 1);
    return user != 0 && PosixHomePath(s, user);
  }
  if (c == '/' && !after_scheme && s.At(s.i + 1) == '/') {
    // Doubled slashes (a joined path) before a home folder or the system's; else a share.
    size_t root = s.i + 1;
    while (s.At(root) == '/') ++root;
    if (const size_t user = PosixHomeUserAt(s, root); user != 0) return PosixHomePath(s, user);
    return root == s.i + 2 && !SystemRoot(s, root) && ForwardUnc(s);
  }
  if (c == '/') {
    if (const size_t user = PosixHomeUserAt(s, s.i + 1); user != 0) return PosixHomePath(s, user);
  }
  // What the system owns, and web routes, name no one.
  if (c == '/' && (SystemRoot(s, s.i + 1) || (!after_scheme && Route(s)))) return false;
  if (c == '/' && !after_scheme) {
    if (const size_t fixed_end = RouteTemplateEnd(s); fixed_end != kNone) {
      s.Copy(fixed_end);
      return true;
    }
  }
  size_t end = s.End(s.t.posix_end, s.i + 1);
  const Tables& counts = s.t.Counts();
  if (c == '~') {
    if (Scan::Count(counts.slash, s.i, end) == 0) {
      const size_t user_end = BareUserEnd(s);
      return user_end != kNone && EmitPath(s, user_end, '/', user_end);
    }
    end = HomePathEnd(s, end, 0);
  }
  if (counts.posix_trim[end] > s.i + 1) end = counts.posix_trim[end];  // sentence punctuation
  const uint32_t slashes = Scan::Count(counts.slash, s.i, end);
  const bool rooted = c == '/' && IsPosixPathChar(s.At(s.i + 1)) && s.At(s.i + 1) != '/';
  if (((rooted || relative) && slashes >= 2) || (c == '~' && slashes >= 1) || (after_scheme && c == '/')) {
    return EmitPath(s, end, '/', 0);
  }
  return false;
}

}  // namespace phonehome::scrub
