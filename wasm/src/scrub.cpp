// scrub.cpp: the free-text scrubber. One left-to-right scan; at each token start the matchers are
// tried in order (the most specific first), and the first that matches writes its placeholder
// and moves the scan past what it consumed.
#include "scrub.h"

#include <cstddef>

namespace phonehome::scrub {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
// Word characters glue tokens together: a match must not start inside a word.
bool IsWord(char c) { return IsAlnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters of tokens, keys and secrets (base64 and base64url included).
bool IsTokenChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
bool IsBase64Char(char c) { return IsTokenChar(c) || c == '+' || c == '/' || c == '='; }
bool IsEmailLocal(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
bool IsDomainChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }
bool IsPosixPathChar(char c) {
  return IsAlnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' || c == '@' ||
         c == '%' || c == '=' || c == ',' || static_cast<unsigned char>(c) >= 0x80;
}
// Windows path segments stop at the characters Windows forbids in names, and at quotes.
bool IsWindowsPathChar(char c) {
  return !(IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '|' || c == '*' || c == '?' ||
           c == ':' || c == ',' || c == ';' || c == '(' || c == ')' || c == '[' || c == ']');
}

bool StartsWithIgnoreCase(std::string_view text, size_t at, std::string_view prefix) {
  if (at + prefix.size() > text.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[at + i]) != prefix[i]) return false;
  }
  return true;
}

bool EndsWithIgnoreCase(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && StartsWithIgnoreCase(text, text.size() - suffix.size(), suffix);
}

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

constexpr std::string_view kSecretKeys[] = {
    "password", "passwd", "pwd", "pass", "token", "secret", "api_key", "apikey", "api-key", "access_key",
    "access_token", "refresh_token", "auth", "auth_token", "client_secret", "private_key", "secret_key",
    "session_token", "x-api-key",
};

struct TokenPrefix {
  std::string_view prefix;
  size_t min_rest;  // token characters required after the prefix
};
constexpr TokenPrefix kTokenPrefixes[] = {
    {"sk-", 16},   {"sk_live_", 16}, {"sk_test_", 16}, {"rk_live_", 16}, {"ghp_", 20},  {"gho_", 20},
    {"ghu_", 20},  {"ghs_", 20},     {"ghr_", 20},     {"github_pat_", 20}, {"xoxb-", 10}, {"xoxp-", 10},
    {"xoxa-", 10}, {"xoxr-", 10},    {"xoxs-", 10},    {"glpat-", 16},   {"npm_", 30},  {"hf_", 30},
    {"AIza", 30},  {"AKIA", 16},     {"ASIA", 16},
};

class Scanner {
 public:
  Scanner(std::string_view text, std::string& out) : s_(text), out_(out) {}

  void Run(bool in_url_path = false) {
    while (i_ < s_.size()) {
      if (AtTokenStart() && TryAll(in_url_path)) continue;
      out_.push_back(s_[i_++]);
    }
  }

 private:
  bool TryAll(bool in_url_path) {
    return TryPemBlock() || TryUrl() || TryEmail() || TryKeyValue() || TryAuthScheme() || TryTokenPrefix() ||
           TryJwt() || (!in_url_path && TryPath(false)) || TryIpv4() || TryIpv6() || TryLongSecret();
  }

  char At(size_t pos) const { return pos < s_.size() ? s_[pos] : '\0'; }

  bool AtTokenStart() const { return i_ == 0 || !IsWord(s_[i_ - 1]); }

  // Emit() writes a placeholder for s_[i_, end) and moves past it.
  bool Emit(std::string_view placeholder, size_t end) {
    out_.append(placeholder);
    i_ = end;
    return true;
  }

  size_t RunOf(size_t from, bool (*accept)(char)) const {
    size_t end = from;
    while (end < s_.size() && accept(s_[end])) ++end;
    return end;
  }

  // -----BEGIN … PRIVATE KEY----- … -----END … ----- as one secret.
  bool TryPemBlock() {
    if (s_.compare(i_, 10, "-----BEGIN") != 0) return false;
    const size_t end_marker = s_.find("-----END", i_);
    if (end_marker == std::string_view::npos) return Emit("<secret>", s_.size());
    const size_t close = s_.find("-----", end_marker + 8);
    return Emit("<secret>", close == std::string_view::npos ? s_.size() : close + 5);
  }

  // scheme://[credentials@]host[:port][/path][?query][#fragment]
  bool TryUrl() {
    size_t p = i_;
    while (p < s_.size() && (IsAlnum(s_[p]) || s_[p] == '+' || s_[p] == '.' || s_[p] == '-')) ++p;
    if (p == i_ || !IsAlpha(s_[i_]) || s_.compare(p, 3, "://") != 0) return false;
    const std::string_view scheme = s_.substr(i_, p - i_);
    const size_t authority = p + 3;
    if (scheme.size() == 4 && StartsWithIgnoreCase(scheme, 0, "file")) {
      // file:///home/alice/x.py is a path, whatever its scheme.
      out_.append(s_.substr(i_, authority - i_));
      i_ = authority;
      TryPath(/*after_scheme=*/true);
      return true;
    }
    size_t end = authority;
    auto is_url_char = [](char c) {
      return !(IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`');
    };
    while (end < s_.size() && is_url_char(s_[end])) ++end;
    // A sentence's closing punctuation is not part of the URL.
    while (end > authority && (s_[end - 1] == '.' || s_[end - 1] == ',' || s_[end - 1] == ')' || s_[end - 1] == ';')) --end;
    size_t host_end = authority;
    while (host_end < end && s_[host_end] != '/' && s_[host_end] != '?' && s_[host_end] != '#') ++host_end;
    std::string_view host = s_.substr(authority, host_end - authority);
    out_.append(s_.substr(i_, authority - i_));
    const size_t at = host.rfind('@');
    if (at != std::string_view::npos) {
      out_.append("<secret>@");
      host.remove_prefix(at + 1);
    }
    // The host itself: an address is replaced, a name kept, its port kept.
    Scanner host_scanner(host, out_);
    host_scanner.Run(/*in_url_path=*/true);
    size_t query = host_end;
    while (query < end && s_[query] != '?' && s_[query] != '#') ++query;
    Scanner path_scanner(s_.substr(host_end, query - host_end), out_);
    path_scanner.Run(/*in_url_path=*/true);
    if (query < end) {
      out_.push_back(s_[query]);
      out_.append("<query>");
    }
    i_ = end;
    return true;
  }

  bool TryEmail() {
    const size_t local_end = RunOf(i_, IsEmailLocal);
    if (local_end == i_ || At(local_end) != '@') return false;
    size_t domain_end = RunOf(local_end + 1, IsDomainChar);
    while (domain_end > local_end + 1 && (s_[domain_end - 1] == '.' || s_[domain_end - 1] == '-')) --domain_end;
    const std::string_view domain = s_.substr(local_end + 1, domain_end - local_end - 1);
    const size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || domain.size() - dot < 3) return false;
    for (size_t k = dot + 1; k < domain.size(); ++k) {
      if (!IsAlpha(domain[k])) return false;  // a top-level domain is letters
    }
    return Emit("<email>", domain_end);
  }

  // password=…, "token": "…", GITHUB_TOKEN=…, db_password: … — the key stays, the value goes.
  // A key is a secret's name when it is one of kSecretKeys or ends in "_" or "-" and one of them.
  bool TryKeyValue() {
    size_t p = i_;
    const char key_quote = (At(p) == '"' || At(p) == '\'') ? At(p) : '\0';
    if (key_quote != '\0') ++p;
    const size_t key_end = RunOf(p, IsTokenChar);
    const std::string_view key = s_.substr(p, key_end - p);
    bool secret_name = false;
    for (std::string_view name : kSecretKeys) {
      if (key.size() < name.size() || !EndsWithIgnoreCase(key, name)) continue;
      const size_t before = key.size() - name.size();
      if (before == 0 || key[before - 1] == '_' || key[before - 1] == '-') {
        secret_name = true;
        break;
      }
    }
    if (!secret_name) return false;
    size_t q = key_end;
    if (key_quote != '\0' && At(q) == key_quote) ++q;
    while (At(q) == ' ') ++q;
    if (At(q) != '=' && At(q) != ':') return false;
    ++q;
    while (At(q) == ' ') ++q;
    const char quote = (At(q) == '"' || At(q) == '\'') ? At(q) : '\0';
    if (quote != '\0') ++q;
    size_t value_end = q;
    while (value_end < s_.size()) {
      const char c = s_[value_end];
      if (quote != '\0' ? c == quote || c == '\n' : IsSpace(c) || c == '&' || c == ',' || c == ';' || c == '}' ||
                                                      c == ')' || c == '"' || c == '\'') {
        break;
      }
      ++value_end;
    }
    if (value_end == q) return false;
    out_.append(s_.substr(i_, q - i_));
    return Emit("<secret>", value_end);
  }

  // Authorization schemes: "Bearer <token>", "Basic <base64>".
  bool TryAuthScheme() {
    for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
      if (!StartsWithIgnoreCase(s_, i_, scheme)) continue;
      const size_t start = i_ + scheme.size();
      const size_t end = RunOf(start, IsBase64Char);
      if (end - start < 8) continue;
      out_.append(s_.substr(i_, scheme.size()));
      return Emit("<secret>", end);
    }
    return false;
  }

  bool TryTokenPrefix() {
    for (const TokenPrefix& token : kTokenPrefixes) {
      if (s_.compare(i_, token.prefix.size(), token.prefix) != 0) continue;
      const size_t end = RunOf(i_ + token.prefix.size(), IsTokenChar);
      if (end - i_ - token.prefix.size() >= token.min_rest) return Emit("<secret>", end);
    }
    return false;
  }

  // header.payload.signature, base64url, the header starting {" encoded as eyJ.
  bool TryJwt() {
    if (s_.compare(i_, 3, "eyJ") != 0) return false;
    size_t p = i_;
    for (int part = 0; part < 3; ++part) {
      const size_t end = RunOf(p, IsTokenChar);
      if (end - p < (part == 2 ? 0u : 4u)) return false;
      p = end;
      if (part < 2) {
        if (At(p) != '.') return false;
        ++p;
      }
    }
    return Emit("<secret>", p);
  }

  // KeptTail() is what of a path survives: the part below a package folder, or a source file's
  // name; empty when nothing may be kept.
  static std::string_view KeptTail(std::string_view path, char separator) {
    static constexpr std::string_view kPackageRoots[] = {"site-packages", "dist-packages", "node_modules", "mod"};
    size_t segment_end = path.size();
    while (segment_end > 0) {
      const size_t segment_start = path.rfind(separator, segment_end - 1);
      if (segment_start == std::string_view::npos) break;
      const std::string_view segment = path.substr(segment_start + 1, segment_end - segment_start - 1);
      for (std::string_view root : kPackageRoots) {
        const bool go_mod = root == "mod" && segment_start >= 4 && path.compare(segment_start - 4, 4, "/pkg") == 0;
        if (segment == root && (root != "mod" || go_mod)) return path.substr(segment_end);
      }
      segment_end = segment_start;
    }
    const size_t last = path.rfind(separator);
    const std::string_view name = last == std::string_view::npos ? path : path.substr(last);
    return IsSourceFileName(name.substr(name.empty() ? 0 : 1)) ? name : std::string_view();
  }

  bool EmitPath(size_t end, char separator) {
    const std::string_view path = s_.substr(i_, end - i_);
    out_.append("<path>");
    out_.append(KeptTail(path, separator));
    i_ = end;
    return true;
  }

  // TryPath() matches a path at the scan position; after_scheme when a file:// scheme precedes it.
  bool TryPath(bool after_scheme) {
    const char c = At(i_);
    // Windows: C:\…, C:/…, \\server\share\…
    const bool drive = IsAlpha(c) && At(i_ + 1) == ':' && (At(i_ + 2) == '\\' || At(i_ + 2) == '/') &&
                       (i_ == 0 || !IsAlnum(s_[i_ - 1]));
    const bool unc = c == '\\' && At(i_ + 1) == '\\' && IsWindowsPathChar(At(i_ + 2));
    if (drive || unc) {
      size_t end = drive ? i_ + 3 : i_ + 2;
      while (end < s_.size()) {
        if (IsWindowsPathChar(s_[end])) {
          ++end;
          continue;
        }
        // A space belongs to the path when another backslash follows on the same line, as in
        // C:\Program Files\… or C:\Users\Jane Doe\…
        if (s_[end] == ' ') {
          size_t ahead = end;
          while (ahead < s_.size() && (IsWindowsPathChar(s_[ahead]) || s_[ahead] == ' ') && s_[ahead] != '\\') ++ahead;
          if (At(ahead) == '\\') {
            end = ahead;
            continue;
          }
        }
        break;
      }
      return EmitPath(end, At(i_ + 2) == '/' ? '/' : '\\');
    }
    // POSIX: /a/b…, ./a/b, ../a/b, ~/…, ~user/…; one segment ("/tmp", "km/h") is not enough.
    const bool relative = c == '.' && (At(i_ + 1) == '/' || (At(i_ + 1) == '.' && At(i_ + 2) == '/'));
    if (c == '~' || c == '/' || relative) {
      // "//" and "./" inside other text (a URL, a relative path) start no path of their own.
      if (c == '/' && !after_scheme && i_ > 0 && (s_[i_ - 1] == '/' || s_[i_ - 1] == '.')) return false;
      size_t end = RunOf(i_ + 1, IsPosixPathChar);
      while (end > i_ + 1 && (s_[end - 1] == '.' || s_[end - 1] == ',')) --end;  // sentence punctuation
      const std::string_view path = s_.substr(i_, end - i_);
      const size_t slashes = [&] {
        size_t n = 0;
        for (char ch : path) n += ch == '/';
        return n;
      }();
      const bool home = c == '~' && slashes >= 1;
      const bool rooted = c == '/' && IsPosixPathChar(At(i_ + 1)) && At(i_ + 1) != '/';
      if (((rooted || relative) && slashes >= 2) || home) {
        return EmitPath(end, '/');
      }
    }
    return false;
  }

  // ReadOctet() reads 1-3 digits with a value up to 255.
  bool ReadOctet(size_t& p) const {
    const size_t start = p;
    int value = 0;
    while (p < s_.size() && IsDigit(s_[p]) && p - start < 3) value = value * 10 + (s_[p++] - '0');
    return p > start && value <= 255 && !(p - start > 1 && s_[start] == '0');
  }

  bool TryIpv4() {
    if (i_ > 0 && (s_[i_ - 1] == '.' || IsWord(s_[i_ - 1]))) return false;
    size_t p = i_;
    for (int part = 0; part < 4; ++part) {
      if (part > 0) {
        if (At(p) != '.') return false;
        ++p;
      }
      if (!ReadOctet(p)) return false;
    }
    // Not part of a longer dotted number (a five-part version) nor of a word.
    if (IsWord(At(p)) || (At(p) == '.' && IsDigit(At(p + 1)))) return false;
    return Emit("<ip>", p);
  }

  bool TryIpv6() {
    if (i_ > 0 && (s_[i_ - 1] == ':' || IsWord(s_[i_ - 1]))) return false;
    size_t p = i_;
    int groups = 0;
    int colons = 0;
    bool compressed = false;
    bool digit = false;
    while (p < s_.size()) {
      const size_t start = p;
      while (p < s_.size() && IsHex(s_[p]) && p - start < 5) {
        digit = digit || IsDigit(s_[p]);
        ++p;
      }
      const size_t length = p - start;
      if (length > 4) return false;
      if (length > 0) ++groups;
      if (At(p) == '.' && groups > 0 && colons >= 2) {
        // An IPv4 tail (::ffff:10.0.0.1): its digits are the last group.
        size_t tail = start;
        for (int part = 0; part < 4; ++part) {
          if (part > 0 && At(tail++) != '.') return false;
          if (!ReadOctet(tail)) return false;
        }
        p = tail;
        groups += 1;
        digit = true;
        break;
      }
      if (At(p) != ':') break;
      ++colons;
      ++p;
      if (At(p) == ':') {
        if (compressed) return false;
        compressed = true;
        ++colons;
        ++p;
      }
    }
    while (p > i_ && s_[p - 1] == ':' && !(p >= i_ + 2 && s_[p - 2] == ':')) --p;  // a trailing ':' is text
    if (colons < 2 || !digit || IsWord(At(p))) return false;
    if (compressed ? groups > 7 : groups != 8) return false;
    return Emit("<ip>", p);
  }

  // Long random-looking strings: 32+ hex digits, or 40+ base64 characters mixing upper case,
  // lower case and digits (identifiers and words rarely carry all three at that length).
  bool TryLongSecret() {
    const size_t end = RunOf(i_, IsBase64Char);
    const size_t length = end - i_;
    if (length < 32 || IsWord(At(end))) return false;
    // Relative paths use this alphabet too; a base64 secret with '/' nearly always has '+' or '='.
    const std::string_view run = s_.substr(i_, length);
    if (run.find('/') != std::string_view::npos && run.find('+') == std::string_view::npos && run.back() != '=') {
      return false;
    }
    bool all_hex = true;
    bool upper = false;
    bool lower = false;
    bool digit = false;
    for (size_t p = i_; p < end; ++p) {
      all_hex = all_hex && IsHex(s_[p]);
      upper = upper || IsUpper(s_[p]);
      lower = lower || IsLower(s_[p]);
      digit = digit || IsDigit(s_[p]);
    }
    if ((all_hex && digit) || (length >= 40 && upper && lower && digit)) return Emit("<secret>", end);
    return false;
  }

  std::string_view s_;
  std::string& out_;
  size_t i_ = 0;
};

}  // namespace

void Scrub(std::string_view text, std::string& out) { Scanner(text, out).Run(); }

}  // namespace phonehome::scrub
