// scrub/paths.cpp: file system paths. A path goes whole, since any folder may be named after its
// owner; what is kept after <path> is a source file's name, or the part below a package folder, so a
// stack trace keeps its shape without its user.
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

// The longest user name a home folder's segment is assumed to hold when no separator ends it.
constexpr size_t kMaxUserName = 64;
// How far a space inside a path may be from the next separator and still belong to the path.
constexpr size_t kMaxSpacedSegment = 256;

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

// PathStop() is true for a byte that ends a path even after a space: neither a space nor a
// character of the path's kind.
bool PathStop(const Scan& s, size_t at, bool windows) {
  const char c = s.s[at];
  if (c == ' ') return false;
  return s.t.Punct(at) || !(windows ? IsWindowsPathChar(c) : IsPosixPathChar(c));
}

// SeparatorAhead() is the first `separator` in s[from, from + most), if no stop comes before it,
// else npos. Both callers read at most `most` bytes, and what they read up to a separator the path
// then takes, so the scan stays linear.
size_t SeparatorAhead(const Scan& s, size_t from, size_t most, char separator, bool windows) {
  for (size_t at = from; at < s.limit && at < from + most; ++at) {
    if (s.s[at] == separator) return at;
    if (PathStop(s, at, windows)) return std::string_view::npos;
  }
  return std::string_view::npos;
}

// SpaceContinues() is true when the space at `at` is inside a path: another separator follows soon,
// with only path characters and spaces before it ("C:\Program Files\…", "/Users/Jane Doe/…").
bool SpaceContinues(const Scan& s, size_t at, char separator, bool windows) {
  return SeparatorAhead(s, at + 1, kMaxSpacedSegment, separator, windows) != std::string_view::npos;
}

// UserNameEnd() is where the user name that starts a home folder's segment ends. Names may hold
// spaces ("Jane Doe"): the name runs to the next separator when one comes soon; else, at the end of
// the path, to the end of the line when that is as near (a name cannot be told from the words after
// it, so both go); else over at most three words.
size_t UserNameEnd(const Scan& s, size_t start, char separator, bool windows) {
  const size_t next = SeparatorAhead(s, start, kMaxUserName + 1, separator, windows);
  if (next != std::string_view::npos) return next;
  size_t end = start;
  while (end < s.limit && end <= start + kMaxUserName && !PathStop(s, end, windows)) ++end;
  if (end > start + kMaxUserName) {
    end = start;
    for (int spaces = 0; end < s.limit && !PathStop(s, end, windows) && !(s.s[end] == ' ' && ++spaces == 3);) ++end;
  }
  while (end > start && s.s[end - 1] == ' ') --end;
  return end;
}

// HomeUserAt() is where the user name starts when a home folder begins at `at` (Users, home,
// Documents and Settings, then the separator), or 0.
size_t HomeUserAt(const Scan& s, size_t at, char separator) {
  for (std::string_view home : {std::string_view("users"), std::string_view("home"), std::string_view("documents and settings")}) {
    if (s.MatchesIgnoreCase(at, home) && s.At(at + home.size()) == separator) return at + home.size() + 1;
  }
  return 0;
}

// A Windows path from the end of its root (C:\, \\server\, %USERPROFILE%\) on.
bool WindowsPath(Scan& s, size_t root_end, char separator) {
  size_t end = root_end;
  size_t user_end = 0;
  if (const size_t user = HomeUserAt(s, root_end, separator); user != 0) {
    user_end = end = UserNameEnd(s, user, separator, true);
  }
  while (end < s.limit && !s.t.Punct(end) &&
         (IsWindowsPathChar(s.s[end]) || (s.s[end] == ' ' && SpaceContinues(s, end, separator, true)))) {
    ++end;
  }
  return EmitPath(s, end, separator, user_end);
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

}  // namespace

bool TryGluedHomePath(Scan& s) {
  // Case as the systems write them (Linux's home, macOS's and Windows' Users), so a project's own
  // app/users/views.py stays; a last segment with a dot is a file (templates/home/index.html).
  const char separator = s.s[s.i];
  size_t user = 0;
  for (std::string_view home : {std::string_view("home"), std::string_view("Users")}) {
    if (s.Matches(s.i + 1, home) && s.At(s.i + 1 + home.size()) == separator) user = s.i + home.size() + 2;
  }
  if (user == 0) return false;
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
  return separator == '/' ? TryPath(s, /*after_scheme=*/true) : WindowsPath(s, s.i + 1, separator);
}

bool TryPath(Scan& s, bool after_scheme) {
  const char c = s.At(s.i);
  // Windows: C:\…, C:/…, \\server\share\…; a drive letter is not the end of a file name or a path.
  const bool after_name = s.i > s.begin && (s.s[s.i - 1] == '.' || s.s[s.i - 1] == '/' || s.s[s.i - 1] == '\\');
  if (IsAlpha(c) && !after_name && s.At(s.i + 1) == ':' && (s.At(s.i + 2) == '\\' || s.At(s.i + 2) == '/')) {
    return WindowsPath(s, s.i + 3, s.At(s.i + 2));
  }
  if (c == '\\' && s.At(s.i + 1) == '\\' && IsWindowsPathChar(s.At(s.i + 2))) return WindowsPath(s, s.i + 2, '\\');
  // Environment variables naming home and data folders: whatever follows is the user's.
  if (c == '%' || c == '$') {
    char separator = '\0';
    const size_t root_end = EnvRootEnd(s, separator);
    if (root_end == 0) return false;
    if (separator == '\\') return WindowsPath(s, root_end, separator);
    return EmitPath(s, s.End(s.t.posix_end, root_end), '/', 0);
  }
  // POSIX: /a/b…, ./a/b, ../a/b, ~/…, ~user/…; one segment ("/tmp", "km/h") is not enough.
  const bool relative = c == '.' && (s.At(s.i + 1) == '/' || (s.At(s.i + 1) == '.' && s.At(s.i + 2) == '/'));
  if (c != '~' && c != '/' && !relative) return false;
  // "//" and "./" inside other text (a URL, a relative path) start no path of their own.
  if (c == '/' && !after_scheme && s.i > s.begin && (s.s[s.i - 1] == '/' || s.s[s.i - 1] == '.')) return false;
  size_t end = s.End(s.t.posix_end, s.i + 1);
  size_t user_end = 0;
  const size_t user = c == '/' ? HomeUserAt(s, s.i + 1, '/') : 0;
  if (user != 0) {
    user_end = end = UserNameEnd(s, user, '/', false);
    if (s.At(end) == '/') end = s.End(s.t.posix_end, end);
    // Further down a home folder a space may be part of a name: /Users/Jane Doe/My Files/…
    while (s.At(end) == ' ' && SpaceContinues(s, end, '/', false)) end = s.End(s.t.posix_end, end + 1);
  }
  const Tables& counts = s.t.Counts();
  if (counts.posix_trim[end] > s.i + 1 && counts.posix_trim[end] >= user_end) end = counts.posix_trim[end];  // sentence punctuation
  const uint32_t slashes = Scan::Count(counts.slash, s.i, end);
  const bool rooted = c == '/' && IsPosixPathChar(s.At(s.i + 1)) && s.At(s.i + 1) != '/';
  if (((rooted || relative) && slashes >= 2) || (c == '~' && slashes >= 1) || (after_scheme && c == '/')) {
    return EmitPath(s, end, '/', user_end);
  }
  return false;
}

}  // namespace phonehome::scrub
