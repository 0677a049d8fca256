// scrub.cpp: the free-text scrubber. One left-to-right scan; at each token start the matchers are
// tried in order (the most specific first), and the first that matches writes its placeholder
// and moves the scan past what it consumed.
//
// Linear time: a failed match must not rescan a long run from every position inside it (text
// like "a-a-a-a…" has a token start every two bytes). So the character runs and class counts the
// matchers need are computed once per text, in a few passes, and every matcher looks them up in
// constant time; what a matcher still scans, it consumes. The text is also cut to a window a
// little larger than what can be stored before any of this.
#include "scrub.h"

#include <cstddef>
#include <cstdint>
#include <vector>

#include "normalize.h"

namespace phonehome::scrub {
namespace {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool IsAlnum(char c) { return IsDigit(c) || IsAlpha(c); }
constexpr bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
constexpr bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }
// Word characters glue tokens together: a match must not start after one. Only ASCII counts, so a
// secret right after a curly quote, a guillemet or CJK text is still found.
constexpr bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
constexpr bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
constexpr char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters of tokens, keys and secrets (base64 and base64url included).
constexpr bool IsTokenChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
constexpr bool IsBase64Char(char c) { return IsTokenChar(c) || c == '+' || c == '/' || c == '='; }
constexpr bool IsSchemeChar(char c) { return IsAlnum(c) || c == '+' || c == '.' || c == '-'; }
constexpr bool IsEmailLocal(char c) { return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }
constexpr bool IsDomainChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }
constexpr bool IsPosixPathChar(char c) {
  return IsAlnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' || c == '@' ||
         c == '%' || c == '=' || c == ',' || IsHigh(c);
}
// Windows path segments stop at the characters Windows forbids in names, and at quotes.
constexpr bool IsWindowsPathChar(char c) {
  return !(IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '|' || c == '*' || c == '?' ||
           c == ':' || c == ',' || c == ';' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\0');
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

// Names whose value is a secret: matched as the whole key, or as its last part after "_", "-",
// or a camelCase step ("accessToken", "clientSecret").
constexpr std::string_view kSecretKeys[] = {
    "password", "passwd", "pwd", "pass", "token", "secret", "api_key", "apikey", "api-key", "access_key",
    "access_token", "refresh_token", "auth", "auth_token", "client_secret", "private_key", "secret_key",
    "session_token", "x-api-key", "pgpassword",
};

struct TokenPrefix {
  std::string_view prefix;
  size_t min_rest;    // token characters required after the prefix
  bool upper_alnum;   // the rest is [A-Z0-9] only (AWS key ids)
};
constexpr TokenPrefix kTokenPrefixes[] = {
    {"sk-", 16, false},   {"sk_live_", 16, false}, {"sk_test_", 16, false}, {"rk_live_", 16, false},
    {"ghp_", 20, false},  {"gho_", 20, false},     {"ghu_", 20, false},     {"ghs_", 20, false},
    {"ghr_", 20, false},  {"github_pat_", 20, false}, {"xoxb-", 10, false}, {"xoxp-", 10, false},
    {"xoxa-", 10, false}, {"xoxr-", 10, false},    {"xoxs-", 10, false},    {"glpat-", 16, false},
    {"npm_", 30, false},  {"hf_", 30, false},      {"AIza", 30, false},     {"AKIA", 16, true},
    {"ASIA", 16, true},
};

// Character classes as bits, looked up once per byte.
enum ClassBit : uint16_t {
  kScheme = 1 << 0, kLocal = 1 << 1, kDomain = 1 << 2, kToken = 1 << 3, kBase64 = 1 << 4, kPosix = 1 << 5,
};

struct ClassTable {
  uint16_t bits[256];
  constexpr ClassTable() : bits() {
    for (int b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      bits[b] = static_cast<uint16_t>((IsSchemeChar(c) ? kScheme : 0) | (IsEmailLocal(c) ? kLocal : 0) |
                                      (IsDomainChar(c) ? kDomain : 0) | (IsTokenChar(c) ? kToken : 0) |
                                      (IsBase64Char(c) ? kBase64 : 0) | (IsPosixPathChar(c) ? kPosix : 0));
    }
  }
};
constexpr ClassTable kClasses;

// Tables holds, for each position of the text, where runs of each character class end, and
// running counts of the classes the long-secret rule weighs. Built in two passes; reused between
// calls. Letter and non-letter counts derive from the upper- and lower-case counts.
struct Tables {
  // punct[i]: byte i belongs to a non-ASCII punctuation or space character (curly quotes,
  // guillemets, dashes, CJK and full-width punctuation), which ends a path like ASCII punctuation.
  std::vector<uint8_t> punct;
  bool any_punct = false;
  std::vector<uint32_t> scheme_end, local_end, domain_end, token_end, base64_end, posix_end;
  std::vector<uint32_t> domain_trim, posix_trim;  // end with trailing '.', '-' (or ',') dropped
  std::vector<uint32_t> last_dot;                 // last '.' before each position, or npos
  std::vector<uint32_t> non_hex, upper, lower, digit, plus, slash, equals, case_switch;
  std::string_view text;      // the text the tables describe
  bool counts_ready = false;  // the left-to-right tables are built (see Counts())

  uint32_t Letters(size_t from, size_t to) const { return upper[to] - upper[from] + lower[to] - lower[from]; }
  uint32_t NonAlpha(size_t from, size_t to) const { return static_cast<uint32_t>(to - from) - Letters(from, to); }

  void MarkPunctuation(std::string_view s) {
    const size_t n = s.size();
    punct.assign(n + 1, 0);
    auto byte = [&](size_t i) { return i < n ? static_cast<unsigned char>(s[i]) : 0u; };
    for (size_t i = 0; i < n; ++i) {
      const unsigned b0 = byte(i), b1 = byte(i + 1), b2 = byte(i + 2);
      if (b0 < 0x80) continue;
      size_t length = 0;
      if (b0 == 0xC2 && b1 >= 0xA0 && b1 <= 0xBF) length = 2;                     // U+00A0..U+00BF
      if (b0 == 0xE2 && (b1 == 0x80 || b1 == 0x81)) length = 3;                    // U+2000..U+207F
      if (b0 == 0xE3 && b1 == 0x80) length = 3;                                    // U+3000..U+303F
      if (b0 == 0xEF && ((b1 == 0xBC && (b2 <= 0x8F || (b2 >= 0x9A && b2 <= 0xA0) || b2 >= 0xBB)) ||
                         (b1 == 0xBD && (b2 <= 0x80 || (b2 >= 0x9B && b2 <= 0xA5))))) {
        length = 3;                                                                  // full-width punctuation
      }
      for (size_t k = 0; k < length && i + k < n; ++k) punct[i + k] = 1;
      if (length > 0) i += length - 1;
    }
  }

  // Build() computes what every scan needs: where each run of each character class ends. The
  // running counts wait for the first matcher that asks (Counts()): most texts never do.
  void Build(std::string_view s) {
    const size_t n = s.size();
    text = s;
    counts_ready = false;
    for (auto* v : {&scheme_end, &local_end, &domain_end, &token_end, &base64_end, &posix_end}) v->resize(n + 1);
    bool high = false;
    for (const char c : s) high = high || IsHigh(c);
    any_punct = high;
    if (high) {
      MarkPunctuation(s);
    } else if (punct.size() < n + 1) {
      punct.resize(n + 1);
    }
    // Right to left: where each run of each class ends.
    const auto last = static_cast<uint32_t>(n);
    scheme_end[n] = local_end[n] = domain_end[n] = token_end[n] = base64_end[n] = posix_end[n] = last;
    for (size_t i = n; i-- > 0;) {
      const uint16_t bits = kClasses.bits[static_cast<unsigned char>(s[i])];
      const auto here = static_cast<uint32_t>(i);
      scheme_end[i] = (bits & kScheme) ? scheme_end[i + 1] : here;
      local_end[i] = (bits & kLocal) ? local_end[i + 1] : here;
      domain_end[i] = (bits & kDomain) ? domain_end[i + 1] : here;
      token_end[i] = (bits & kToken) ? token_end[i + 1] : here;
      base64_end[i] = (bits & kBase64) ? base64_end[i + 1] : here;
      posix_end[i] = (bits & kPosix) && !(high && punct[i]) ? posix_end[i + 1] : here;
    }
  }

  // Counts() returns the tables with the left-to-right ones built: trimmed ends, last dots and
  // running class counts, for the matchers of emails, URLs, paths, credentials and long secrets.
  const Tables& Counts() {
    if (counts_ready) return *this;
    counts_ready = true;
    const size_t n = text.size();
    for (auto* v : {&domain_trim, &posix_trim, &last_dot, &non_hex, &upper, &lower, &digit, &plus, &slash, &equals,
                    &case_switch}) {
      v->resize(n + 1);
    }
    domain_trim[0] = posix_trim[0] = 0;
    last_dot[0] = static_cast<uint32_t>(-1);
    non_hex[0] = upper[0] = lower[0] = digit[0] = plus[0] = slash[0] = equals[0] = case_switch[0] = 0;
    char previous = '\0';
    for (size_t i = 0; i < n; ++i) {
      const char c = text[i];
      const auto next = static_cast<uint32_t>(i + 1);
      domain_trim[i + 1] = (c == '.' || c == '-') ? domain_trim[i] : next;
      posix_trim[i + 1] = (c == '.' || c == ',') ? posix_trim[i] : next;
      last_dot[i + 1] = c == '.' ? static_cast<uint32_t>(i) : last_dot[i];
      non_hex[i + 1] = non_hex[i] + !IsHex(c);
      upper[i + 1] = upper[i] + IsUpper(c);
      lower[i + 1] = lower[i] + IsLower(c);
      digit[i + 1] = digit[i] + IsDigit(c);
      plus[i + 1] = plus[i] + (c == '+');
      slash[i + 1] = slash[i] + (c == '/');
      equals[i + 1] = equals[i] + (c == '=');
      case_switch[i + 1] = case_switch[i] + (IsAlpha(c) && IsAlpha(previous) && IsUpper(c) != IsUpper(previous));
      previous = c;
    }
    return *this;
  }

  bool Punct(size_t i) const { return any_punct && punct[i]; }
};

class Scanner {
 public:
  Scanner(std::string_view text, std::string& out, Tables& tables) : s_(text), out_(out), t_(tables) {}

  void Run() { RunRange(0, s_.size(), false); }

 private:
  // RunRange() scrubs s_[begin, end); inside a URL (in_url) paths are the URL's own, not files.
  void RunRange(size_t begin, size_t end, bool in_url) {
    const size_t saved_limit = limit_;
    limit_ = end;
    i_ = begin;
    while (i_ < limit_) {
      if (AtTokenStart(begin) && TryAll(in_url)) continue;
      out_.push_back(s_[i_++]);
    }
    limit_ = saved_limit;
  }

  // TryAll() tries, in order, the matchers that can start with this character; each rules itself
  // out in constant time otherwise, so plain text costs a few table lookups per word.
  bool TryAll(bool in_url) {
    const char c = s_[i_];
    const bool alpha = IsAlpha(c);
    if (c == '-' && TryPemBlock()) return true;
    if (alpha && At(End(t_.scheme_end, i_)) == ':' && TryUrl()) return true;
    if (At(End(t_.local_end, i_)) == '@' && TryEmail()) return true;
    if ((IsTokenChar(c) || c == '"' || c == '\'') && TryKeyValue()) return true;
    if ((c == 'b' || c == 'B') && TryAuthScheme()) return true;
    if ((c == 's' || c == 'r' || c == 'g' || c == 'x' || c == 'n' || c == 'h' || c == 'A') && TryTokenPrefix()) return true;
    if (c == 'e' && TryJwt()) return true;
    if (!in_url && (c == '/' || c == '~' || c == '.' || c == '\\' || (alpha && At(i_ + 1) == ':')) && TryPath(false)) return true;
    if (IsDigit(c) && TryIpv4()) return true;
    if ((IsHex(c) || c == ':') && TryIpv6()) return true;
    return End(t_.base64_end, i_) - i_ >= 32 && TryLongSecret();
  }

  // Matches() compares the text at `at` with `word` without a library call per try.
  bool Matches(size_t at, std::string_view word) const {
    if (at + word.size() > limit_) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (s_[at + k] != word[k]) return false;
    }
    return true;
  }

  char At(size_t pos) const { return pos < limit_ ? s_[pos] : '\0'; }
  // End() clamps a precomputed run end to the range being scanned.
  size_t End(const std::vector<uint32_t>& table, size_t pos) const {
    return pos >= limit_ ? limit_ : (table[pos] < limit_ ? table[pos] : limit_);
  }
  static uint32_t Count(const std::vector<uint32_t>& prefix, size_t from, size_t to) { return prefix[to] - prefix[from]; }

  bool AtTokenStart(size_t begin) const { return i_ == begin || !IsWord(s_[i_ - 1]); }

  // Emit() writes a placeholder for s_[i_, end) and moves past it.
  bool Emit(std::string_view placeholder, size_t end) {
    out_.append(placeholder);
    i_ = end;
    return true;
  }

  // -----BEGIN … PRIVATE KEY----- … -----END … ----- as one secret.
  bool TryPemBlock() {
    if (!Matches(i_, "-----BEGIN")) return false;
    const size_t end_marker = s_.substr(0, limit_).find("-----END", i_);
    if (end_marker == std::string_view::npos) return Emit("<secret>", limit_);
    const size_t close = s_.substr(0, limit_).find("-----", end_marker + 8);
    return Emit("<secret>", close == std::string_view::npos ? limit_ : close + 5);
  }

  // scheme://[credentials@]host[:port][/path][?query][#fragment]
  bool TryUrl() {
    if (!IsAlpha(At(i_))) return false;
    const size_t p = End(t_.scheme_end, i_);
    if (!Matches(p, "://")) return false;
    const size_t authority = p + 3;
    if (p - i_ == 4 && StartsWithIgnoreCase(s_, i_, "file")) {
      // file://[host]/home/alice/x.py is a path, whatever its scheme and host.
      size_t path = authority;
      while (path < limit_ && IsPosixPathChar(s_[path]) && s_[path] != '/') ++path;
      out_.append(s_.substr(i_, path - i_));
      i_ = path;
      TryPath(/*after_scheme=*/true);
      return true;
    }
    size_t end = authority;
    while (end < limit_ && !(IsSpace(s_[end]) || s_[end] == '"' || s_[end] == '\'' || s_[end] == '<' ||
                             s_[end] == '>' || s_[end] == '`')) {
      ++end;
    }
    // A sentence's closing punctuation is not part of the URL.
    while (end > authority && (s_[end - 1] == '.' || s_[end - 1] == ',' || s_[end - 1] == ')' || s_[end - 1] == ';')) --end;
    size_t host_end = authority;
    while (host_end < end && s_[host_end] != '/' && s_[host_end] != '?' && s_[host_end] != '#') ++host_end;
    out_.append(s_.substr(i_, authority - i_));
    size_t host = authority;
    for (size_t k = authority; k < host_end; ++k) {
      if (s_[k] == '@') host = k + 1;
    }
    if (host != authority) out_.append("<secret>@");
    size_t query = host_end;
    while (query < end && s_[query] != '?' && s_[query] != '#') ++query;
    // The host (an address becomes <ip>, a name stays) and the path, scrubbed in place.
    RunRange(host, host_end, true);
    RunRange(host_end, query, true);
    if (query < end) {
      out_.push_back(s_[query]);
      out_.append("<query>");
    }
    i_ = end;
    return true;
  }

  bool TryEmail() {
    const size_t local_end = End(t_.local_end, i_);
    if (local_end == i_ || At(local_end) != '@') return false;
    const Tables& counts = t_.Counts();
    const size_t domain_start = local_end + 1;
    size_t domain_end = End(t_.domain_end, domain_start);
    domain_end = counts.domain_trim[domain_end] > domain_start ? counts.domain_trim[domain_end] : domain_start;
    const uint32_t dot = counts.last_dot[domain_end];
    if (dot == static_cast<uint32_t>(-1) || dot <= domain_start || domain_end - dot < 3) return false;
    if (counts.NonAlpha(dot + 1, domain_end) != 0) return false;  // a top-level domain is letters
    return Emit("<email>", domain_end);
  }

  // password=…, "token": "…", GITHUB_TOKEN=…, db_password: …, accessToken=…, --password hunter2.
  // The key stays, the value goes.
  bool TryKeyValue() {
    size_t p = i_;
    const char key_quote = (At(p) == '"' || At(p) == '\'') ? At(p) : '\0';
    if (key_quote != '\0') ++p;
    const size_t key_end = End(t_.token_end, p);
    if (key_end == p) return false;
    // Every secret name ends in one of these letters: most words are ruled out here.
    const char last = Lower(s_[key_end - 1]);
    if (last != 'd' && last != 's' && last != 'n' && last != 't' && last != 'y' && last != 'h') return false;
    const std::string_view key = s_.substr(p, key_end - p);
    bool secret_name = false;
    for (std::string_view name : kSecretKeys) {
      if (key.size() < name.size() || !EndsWithIgnoreCase(key, name)) continue;
      const size_t at = key.size() - name.size();
      if (at == 0 || key[at - 1] == '_' || key[at - 1] == '-' || (IsLower(key[at - 1]) && IsUpper(key[at]))) {
        secret_name = true;
        break;
      }
    }
    if (!secret_name) return false;
    size_t q = key_end;
    if (key_quote != '\0' && At(q) == key_quote) ++q;
    const bool flag = key_quote == '\0' && i_ >= 2 && s_[i_ - 1] == '-' && s_[i_ - 2] == '-';
    while (At(q) == ' ') ++q;
    if (At(q) == '=' || At(q) == ':') {
      ++q;
      if (At(q) == '>') ++q;  // password => hunter2
      while (At(q) == ' ') ++q;
    } else if (!(flag && q > key_end)) {  // --password hunter2
      return false;
    }
    const char quote = (At(q) == '"' || At(q) == '\'') ? At(q) : '\0';
    if (quote != '\0') ++q;
    size_t value_end = q;
    while (value_end < limit_) {
      const char c = s_[value_end];
      if (quote != '\0') {
        if (c == '\\' && value_end + 1 < limit_) {  // an escaped quote does not end the value
          value_end += 2;
          continue;
        }
        if (c == quote || c == '\n') break;
      } else if (IsSpace(c) || c == '&' || c == ',' || c == ';' || c == '}' || c == ')' || c == '"' || c == '\'') {
        break;
      }
      ++value_end;
    }
    if (value_end == q) return false;
    out_.append(s_.substr(i_, q - i_));
    return Emit("<secret>", value_end);
  }

  // Authorization schemes: "Bearer <token>", "Basic <base64>". The credential must look like one
  // (a digit, base64 padding, or long and mixed case), so "Basic configuration" stays text.
  bool TryAuthScheme() {
    for (std::string_view scheme : {std::string_view("bearer "), std::string_view("basic ")}) {
      if (!StartsWithIgnoreCase(s_, i_, scheme)) continue;
      const size_t start = i_ + scheme.size();
      const size_t end = End(t_.base64_end, start);
      const size_t length = end - start;
      const Tables& counts = t_.Counts();
      const bool looks_like_credential = Count(counts.digit, start, end) > 0 || Count(counts.equals, start, end) > 0 ||
                                         (length >= 16 && Count(counts.upper, start, end) > 0 && Count(counts.lower, start, end) > 0);
      if (length < 8 || !looks_like_credential) continue;
      out_.append(s_.substr(i_, scheme.size()));
      return Emit("<secret>", end);
    }
    return false;
  }

  bool TryTokenPrefix() {
    for (const TokenPrefix& token : kTokenPrefixes) {
      if (s_[i_] != token.prefix[0] || !Matches(i_, token.prefix)) continue;
      const size_t rest = i_ + token.prefix.size();
      const size_t end = End(t_.token_end, rest);
      if (end - rest < token.min_rest) continue;
      if (token.upper_alnum) {
        bool ok = true;
        for (size_t k = rest; k < rest + token.min_rest && ok; ++k) ok = IsUpper(s_[k]) || IsDigit(s_[k]);
        if (!ok) continue;
      }
      return Emit("<secret>", end);
    }
    return false;
  }

  // header.payload.signature, base64url, the header starting {" encoded as eyJ.
  bool TryJwt() {
    if (!Matches(i_, "eyJ")) return false;
    size_t p = i_;
    for (int part = 0; part < 3; ++part) {
      const size_t end = End(t_.token_end, p);
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

  // SpaceContinues() is true when the space at `at` is inside a path: the next word (within a
  // short look-ahead) holds another separator, as in "C:\Program Files\…" or "/Users/Jane Doe/…".
  bool SpaceContinues(size_t at, char separator, bool (*in_path)(char)) const {
    constexpr size_t kLookAhead = 256;
    for (size_t k = at + 1; k < limit_ && k <= at + kLookAhead; ++k) {
      const char c = s_[k];
      if (c == separator) return true;
      if (c != ' ' && !in_path(c)) return false;
    }
    return false;
  }

  // TryPath() matches a path at the scan position; after_scheme when a file:// scheme precedes it.
  bool TryPath(bool after_scheme) {
    const char c = At(i_);
    // Windows: C:\…, C:/…, \\server\share\…
    const bool drive = IsAlpha(c) && At(i_ + 1) == ':' && (At(i_ + 2) == '\\' || At(i_ + 2) == '/');
    const bool unc = c == '\\' && At(i_ + 1) == '\\' && IsWindowsPathChar(At(i_ + 2));
    if (drive || unc) {
      const char separator = drive && At(i_ + 2) == '/' ? '/' : '\\';
      size_t end = drive ? i_ + 3 : i_ + 2;
      while (end < limit_ && !t_.Punct(end) &&
             (IsWindowsPathChar(s_[end]) || (s_[end] == ' ' && SpaceContinues(end, separator, IsWindowsPathChar)))) {
        ++end;
      }
      return EmitPath(end, separator);
    }
    // POSIX: /a/b…, ./a/b, ../a/b, ~/…, ~user/…; one segment ("/tmp", "km/h") is not enough.
    const bool relative = c == '.' && (At(i_ + 1) == '/' || (At(i_ + 1) == '.' && At(i_ + 2) == '/'));
    if (c != '~' && c != '/' && !relative) return false;
    // "//" and "./" inside other text (a URL, a relative path) start no path of their own.
    if (c == '/' && !after_scheme && i_ > 0 && (s_[i_ - 1] == '/' || s_[i_ - 1] == '.')) return false;
    size_t end = End(t_.posix_end, i_ + 1);
    // In a home folder a space may be part of a name: /Users/Jane Doe/…, /home/al x/…
    const bool home = Matches(i_, "/Users/") || Matches(i_, "/home/");
    while (home && At(end) == ' ' && SpaceContinues(end, '/', IsPosixPathChar)) end = End(t_.posix_end, end + 1);
    const Tables& counts = t_.Counts();
    if (counts.posix_trim[end] > i_ + 1) end = counts.posix_trim[end];  // sentence punctuation
    const uint32_t slashes = Count(counts.slash, i_, end);
    const bool rooted = c == '/' && IsPosixPathChar(At(i_ + 1)) && At(i_ + 1) != '/';
    if (((rooted || relative) && slashes >= 2) || (c == '~' && slashes >= 1) || (after_scheme && c == '/')) {
      return EmitPath(end, '/');
    }
    return false;
  }

  // ReadOctet() reads 1-3 digits with a value up to 255.
  bool ReadOctet(size_t& p) const {
    const size_t start = p;
    int value = 0;
    while (p < limit_ && IsDigit(s_[p]) && p - start < 3) value = value * 10 + (s_[p++] - '0');
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
    while (p < limit_ && groups <= 8 && colons <= 8) {
      const size_t start = p;
      while (p < limit_ && IsHex(s_[p]) && p - start < 5) {
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
    const size_t end = End(t_.base64_end, i_);
    const size_t length = end - i_;
    if (length < 32 || IsWord(At(end))) return false;
    const Tables& counts = t_.Counts();
    const bool digits = Count(counts.digit, i_, end) > 0;
    if (Count(counts.non_hex, i_, end) == 0 && digits) return Emit("<secret>", end);
    if (length < 40 || !digits || Count(counts.upper, i_, end) == 0 || Count(counts.lower, i_, end) == 0) return false;
    // Relative paths use this alphabet too. A secret with '/' shows its randomness: '+' or '='
    // padding, or letters that keep switching case (a path's CamelCase switches seldom).
    if (Count(counts.slash, i_, end) > 0 && Count(counts.plus, i_, end) == 0 && s_[end - 1] != '=') {
      const uint32_t letters = counts.Letters(i_, end);
      if (Count(counts.case_switch, i_, end) * 4 < letters) return false;
    }
    return Emit("<secret>", end);
  }

  std::string_view s_;
  std::string& out_;
  Tables& t_;
  size_t i_ = 0;
  size_t limit_ = 0;
};

Tables& ReusedTables() {
  static Tables tables;
  return tables;
}

// The window scrubbed: the stored result is at most max_output bytes and placeholders only ever
// shorten text, so a window this much larger covers everything that can be kept.
size_t WindowFor(size_t max_output) { return 2 * max_output + 1024; }

}  // namespace

void Scrub(std::string_view text, size_t max_output, std::string& out) {
  std::string_view window = text;
  bool cut = false;
  if (text.size() > WindowFor(max_output)) {
    window = text.substr(0, normalize::Utf8Boundary(text, WindowFor(max_output)));
    cut = true;
  }
  Tables& tables = ReusedTables();
  tables.Build(window);
  const size_t start = out.size();
  Scanner(window, out, tables).Run();
  if (cut) {
    // The window may have cut a token in two, and half a secret is still a secret: drop the
    // window's last word, unless it is far longer than any secret (then it is kept, and cut).
    constexpr size_t kLongestSecret = 1024;
    size_t keep = out.size();
    while (keep > start && !IsSpace(out[keep - 1])) --keep;
    if (out.size() - keep <= kLongestSecret) out.resize(keep);
  }
  const size_t kept = normalize::Utf8Boundary(std::string_view(out).substr(start), max_output);
  out.resize(start + kept);
}

}  // namespace phonehome::scrub
