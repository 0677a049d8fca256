// scrub/secrets.cpp: keys, tokens and credentials. Provider formats follow the public patterns of
// gitleaks and GitHub secret scanning; key names follow Sentry Relay's password rule.
#include <algorithm>

#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

// ---- private key blocks ----------------------------------------------------------------------

// BlockEnd() is the end of a block opened at `from` and closed by `closing` then `tail` (the
// armour's dashes), or the end of the range when it never closes: a key cut short is still a key.
size_t BlockEnd(const Scan& s, size_t from, std::string_view closing, std::string_view tail) {
  const std::string_view text = s.s.substr(0, s.limit);
  const size_t marker = text.find(closing, from);
  if (marker == std::string_view::npos) return s.limit;
  // The armour closes on the END line itself; a line without it still ends the block.
  const size_t line_end = std::min(text.find('\n', marker), text.size());
  const size_t close = text.substr(0, line_end).find(tail, marker + closing.size());
  return close == std::string_view::npos ? line_end : close + tail.size();
}

// ---- key = value ------------------------------------------------------------------------------

// Names whose value is a secret: matched as the whole key, or as its last part after "_", "-" or a
// camelCase step ("accessToken", "clientSecret", "SharedAccessKey").
constexpr std::string_view kSecretKeys[] = {
    "password", "passwd", "pwd", "pass", "passphrase", "passcode", "token", "secret", "api_key", "apikey",
    "api-key", "access_key", "accesskey", "access_token", "refresh_token", "id_token", "auth", "auth_token",
    "authorization", "client_secret", "private_key", "privatekey", "secret_key", "session_token", "x-api-key",
    "pgpassword", "credential", "credentials", "creds", "account_key", "accountkey", "cookie", "otp",
};

// Keys whose value runs to the end of the line: a header holds a scheme and a credential, or many
// cookies, and all of it goes.
constexpr std::string_view kLineKeys[] = {"authorization", "proxy-authorization", "cookie", "set-cookie"};

// Words that say something about a secret rather than being one: "the token is invalid" keeps its
// last word. Only the "key is value" form consults them.
constexpr std::string_view kNotSecrets[] = {
    "a", "an", "the", "not", "no", "now", "too", "also", "only", "still", "already", "being", "invalid",
    "incorrect", "wrong", "expired", "missing", "required", "empty", "null", "none", "nil", "undefined", "set",
    "unset", "correct", "valid", "revoked", "malformed", "blank", "disabled", "enabled", "ok", "okay", "present",
    "absent", "weak", "strong", "needed", "mandatory", "optional", "bad", "good", "stale", "unknown", "false",
    "true", "incomplete", "different", "same", "changed", "reset", "locked", "used", "shared", "stored", "saved",
    "hidden", "visible", "available", "unavailable", "supported", "unsupported", "deprecated", "insecure",
    "secure", "short", "long", "provided", "given", "configured", "specified", "defined", "ignored", "accepted",
    "rejected", "denied", "in", "on", "at", "for", "from", "of", "to", "with", "by", "too_short",
};

// ByteIndex groups the entries of a table by one byte of each (a token's first, a key name's
// last): a lookup compares only the entries that share that byte with the text.
template <size_t N>
struct ByteIndex {
  uint8_t first[257] = {};  // the entries with byte b are order[first[b], first[b + 1])
  uint8_t order[N] = {};
  template <typename ByteOf>
  constexpr explicit ByteIndex(ByteOf byte_of) {
    static_assert(N < 256);
    size_t at = 0;
    for (int b = 0; b < 256; ++b) {
      first[b] = static_cast<uint8_t>(at);
      for (size_t k = 0; k < N; ++k) {
        if (byte_of(k) == b) order[at++] = static_cast<uint8_t>(k);
      }
    }
    first[256] = static_cast<uint8_t>(at);
  }
  constexpr bool Any(unsigned char b) const { return first[b + 1] > first[b]; }
};

// The secret names by their last letter: a key is compared with the few that end as it does.
constexpr size_t kSecretKeyCount = sizeof(kSecretKeys) / sizeof(kSecretKeys[0]);
constexpr ByteIndex<kSecretKeyCount> kNameIndex(
    [](size_t k) { return static_cast<int>(static_cast<unsigned char>(kSecretKeys[k].back())); });

bool IsSecretName(std::string_view key) {
  const auto last = static_cast<unsigned char>(Lower(key.back()));
  if (!kNameIndex.Any(last)) return false;
  // "public_key", "publicKeyToken", "public_token" name what anyone may see.
  if (key.size() > 6 && StartsWithIgnoreCase(key, 0, "public") &&
      (key[6] == '_' || key[6] == '-' || IsUpper(key[6]))) {
    return false;
  }
  for (size_t k = kNameIndex.first[last]; k < kNameIndex.first[last + 1]; ++k) {
    const std::string_view name = kSecretKeys[kNameIndex.order[k]];
    if (!EndsWithIgnoreCase(key, name)) continue;
    const size_t at = key.size() - name.size();
    if (at == 0 || key[at - 1] == '_' || key[at - 1] == '-' || (IsLower(key[at - 1]) && IsUpper(key[at]))) return true;
  }
  return false;
}

bool IsLineKey(std::string_view key) {
  for (std::string_view name : kLineKeys) {
    if (EqualsIgnoreCase(key, name)) return true;
  }
  return false;
}

bool IsNotSecret(std::string_view word) {
  while (!word.empty() && (word.back() == '.' || word.back() == ',' || word.back() == ';' || word.back() == '!' ||
                           word.back() == '?')) {
    word.remove_suffix(1);
  }
  for (std::string_view common : kNotSecrets) {
    if (EqualsIgnoreCase(word, common)) return true;
  }
  return false;
}

// Authorization schemes a credential may follow.
constexpr std::string_view kAuthSchemes[] = {"bearer ", "basic ", "token "};

// CredentialEnd() is the end of an RFC 6750 credential at `start` ([A-Za-z0-9-._~+/] then '=').
size_t CredentialEnd(const Scan& s, size_t start) {
  size_t end = start;
  while (end < s.limit && (IsTokenChar(s.s[end]) || s.s[end] == '.' || s.s[end] == '~' || s.s[end] == '+' ||
                           s.s[end] == '/')) {
    ++end;
  }
  while (s.At(end) == '=') ++end;
  return end;
}

constexpr bool EndsUnquotedValue(char c) {
  return IsSpace(c) || c == '&' || c == ',' || c == ';' || c == '}' || c == ')' || c == ']' || c == '"' || c == '\'';
}

// ---- provider tokens --------------------------------------------------------------------------

// What may follow a token's prefix.
enum class Body : uint8_t {
  Token,       // [A-Za-z0-9_-]
  Dotted,      // [A-Za-z0-9_.-]: tokens made of dot-separated parts (SendGrid, Google OAuth)
  UpperAlnum,  // [A-Z0-9]: AWS key ids
  Hex,         // [0-9a-fA-F]
};

struct TokenPrefix {
  std::string_view prefix;  // case-sensitive, as providers issue them
  uint16_t min_rest;        // body characters required after the prefix
  Body body;
};

constexpr TokenPrefix kTokenPrefixes[] = {
    // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-api03-, sk-ant-admin01-).
    {"sk-", 16, Body::Token},
    // Stripe secret and restricted keys, webhook secrets.
    {"sk_live_", 16, Body::Token}, {"sk_test_", 16, Body::Token}, {"sk_prod_", 16, Body::Token},
    {"rk_live_", 16, Body::Token}, {"rk_test_", 16, Body::Token}, {"rk_prod_", 16, Body::Token},
    {"whsec_", 24, Body::Token},
    // GitHub.
    {"ghp_", 20, Body::Token}, {"gho_", 20, Body::Token}, {"ghu_", 20, Body::Token}, {"ghs_", 20, Body::Token},
    {"ghr_", 20, Body::Token}, {"github_pat_", 20, Body::Token},
    // GitLab.
    {"glpat-", 16, Body::Token}, {"gldt-", 16, Body::Token}, {"glrt-", 16, Body::Token}, {"glptt-", 16, Body::Token},
    {"glsoat-", 16, Body::Token}, {"glcbt-", 16, Body::Token}, {"glimt-", 16, Body::Token}, {"glft-", 16, Body::Token},
    {"glffct-", 16, Body::Token}, {"glagent-", 16, Body::Token}, {"gloas-", 16, Body::Token},
    {"GR1348941", 16, Body::Token},
    // Slack.
    {"xoxb-", 10, Body::Token}, {"xoxp-", 10, Body::Token}, {"xoxa-", 10, Body::Token}, {"xoxr-", 10, Body::Token},
    {"xoxs-", 10, Body::Token}, {"xoxo-", 10, Body::Token}, {"xoxe-", 10, Body::Token},
    {"xoxe.xoxp-", 10, Body::Token}, {"xapp-", 10, Body::Token},
    // Google: API keys, OAuth access tokens, OAuth client secrets.
    {"AIza", 30, Body::Token}, {"ya29.", 20, Body::Dotted}, {"GOCSPX-", 20, Body::Token},
    // Hugging Face, npm, PyPI.
    {"hf_", 30, Body::Token}, {"api_org_", 30, Body::Token}, {"npm_", 30, Body::Token},
    {"pypi-AgEIcHlwaS5vcmc", 20, Body::Token},
    // AWS access key ids.
    {"AKIA", 16, Body::UpperAlnum}, {"ASIA", 16, Body::UpperAlnum}, {"ABIA", 16, Body::UpperAlnum},
    {"ACCA", 16, Body::UpperAlnum},
    // Others with a distinctive prefix.
    {"SG.", 20, Body::Dotted},                                          // SendGrid
    {"SK", 32, Body::Hex},                                              // Twilio API keys
    {"shpat_", 32, Body::Hex}, {"shpca_", 32, Body::Hex}, {"shppa_", 32, Body::Hex}, {"shpss_", 32, Body::Hex},
    {"dckr_pat_", 20, Body::Token}, {"dckr_oat_", 20, Body::Token},     // Docker Hub
    {"dop_v1_", 64, Body::Hex}, {"doo_v1_", 64, Body::Hex}, {"dor_v1_", 64, Body::Hex},  // DigitalOcean
    {"dapi", 32, Body::Hex},                                            // Databricks
    {"lin_api_", 32, Body::Token},                                      // Linear
    {"PMAK-", 24, Body::Token},                                         // Postman
    {"sntrys_", 30, Body::Token}, {"sntryu_", 32, Body::Hex},           // Sentry
    {"key-", 32, Body::Hex},                                            // Mailgun
    {"hvs.", 24, Body::Token}, {"hvb.", 24, Body::Token},               // HashiCorp Vault
    {"glsa_", 32, Body::Token}, {"glc_", 32, Body::Token},              // Grafana
    {"NRAK-", 20, Body::Token}, {"HRKU-", 20, Body::Token},             // New Relic, Heroku
    {"pplx-", 40, Body::Token}, {"rubygems_", 40, Body::Hex}, {"ATATT3", 40, Body::Token},
    {"AGE-SECRET-KEY-1", 30, Body::UpperAlnum},
};

// The prefixes by first byte: a token start tries only those that can match it.
constexpr size_t kPrefixCount = sizeof(kTokenPrefixes) / sizeof(kTokenPrefixes[0]);
constexpr ByteIndex<kPrefixCount> kPrefixIndex(
    [](size_t k) { return static_cast<int>(static_cast<unsigned char>(kTokenPrefixes[k].prefix[0])); });

bool InBody(char c, Body body) {
  switch (body) {
    case Body::Token: return IsTokenChar(c);
    case Body::Dotted: return IsTokenChar(c) || c == '.';
    case Body::UpperAlnum: return IsUpper(c) || IsDigit(c);
    case Body::Hex: return IsHex(c);
  }
  return false;
}

}  // namespace

bool StartsTokenPrefix(char c) { return kPrefixIndex.Any(static_cast<unsigned char>(c)); }

bool TryPemBlock(Scan& s) {
  if (s.Matches(s.i, "-----BEGIN")) return s.Emit(kSecret, BlockEnd(s, s.i + 10, "-----END", "-----"));
  if (s.Matches(s.i, "---- BEGIN SSH2")) return s.Emit(kSecret, BlockEnd(s, s.i + 15, "---- END", "----"));
  if (s.Matches(s.i, "PuTTY-User-Key-File-")) {
    // A PuTTY key file ends with its Private-MAC line.
    const std::string_view text = s.s.substr(0, s.limit);
    const size_t mac = text.find("Private-MAC:", s.i);
    const size_t line_end = mac == std::string_view::npos ? s.limit : text.find('\n', mac);
    return s.Emit(kSecret, line_end == std::string_view::npos ? s.limit : line_end);
  }
  return false;
}

// password=…, "token": "…", GITHUB_TOKEN=…, db_password: …, accessToken=…, --password hunter2,
// <password>hunter2</password>, the password is hunter2, Authorization: Bearer …. The key stays, the
// value goes.
bool TryKeyValue(Scan& s) {
  size_t p = s.i;
  const bool tag = s.At(p) == '<';
  const char key_quote = (s.At(p) == '"' || s.At(p) == '\'') ? s.At(p) : '\0';
  if (tag || key_quote != '\0') ++p;
  const size_t key_end = s.End(s.t.token_end, p);
  if (key_end == p) return false;
  const std::string_view key = s.s.substr(p, key_end - p);
  if (!IsSecretName(key)) return false;
  size_t q = key_end;
  bool prose = false;  // "the password is …"
  if (tag) {
    if (s.At(q) != '>') return false;
    ++q;
  } else {
    if (key_quote != '\0' && s.At(q) == key_quote) ++q;
    const bool flag = key_quote == '\0' && s.i >= s.begin + 2 && s.s[s.i - 1] == '-' && s.s[s.i - 2] == '-';
    const size_t after_key = q;
    while (s.At(q) == ' ') ++q;
    if (s.At(q) == '=' || s.At(q) == ':') {
      ++q;
      if (s.At(q) == '>' || s.At(q) == '=') ++q;  // password => hunter2, password := hunter2
      while (s.At(q) == ' ') ++q;
    } else if (key_quote == '\0' && q > after_key && s.MatchesIgnoreCase(q, "is") &&
               (s.At(q + 2) == ' ' || (s.At(q + 2) == ':' && s.At(q + 3) == ' '))) {
      q += s.At(q + 2) == ':' ? 3 : 2;
      while (s.At(q) == ' ') ++q;
      prose = true;
    } else if (!(flag && q > after_key)) {  // --password hunter2
      return false;
    }
  }
  const char quote = (s.At(q) == '"' || s.At(q) == '\'') ? s.At(q) : '\0';
  if (quote != '\0') ++q;
  const bool whole_line = IsLineKey(key);
  size_t value_end = q;
  while (value_end < s.limit) {
    const char c = s.s[value_end];
    if (quote != '\0') {
      if (c == '\\' && value_end + 1 < s.limit && s.s[value_end + 1] != '\n') {  // an escaped quote does not end the value
        value_end += 2;
        continue;
      }
      if (c == quote || c == '\n') break;
    } else if (tag) {
      if (c == '<' || c == '\n') break;
    } else if (whole_line ? (c == '\n' || c == '\r') : EndsUnquotedValue(c)) {
      break;
    }
    ++value_end;
  }
  if (value_end == q) return false;
  // A private key as the value: the whole block goes, not its first line.
  if (s.Matches(q, "-----BEGIN")) value_end = BlockEnd(s, q + 10, "-----END", "-----");
  if (s.Matches(q, "---- BEGIN SSH2")) value_end = BlockEnd(s, q + 15, "---- END", "----");
  if (prose && IsNotSecret(s.s.substr(q, value_end - q))) return false;
  // A header's scheme word stays, so "Authorization: Bearer <secret>" still says what was sent.
  if (whole_line) {
    for (std::string_view scheme : kAuthSchemes) {
      if (s.MatchesIgnoreCase(q, scheme) && q + scheme.size() < value_end) q += scheme.size();
    }
  }
  // An element's value counts only with its closing tag, so "<secret>" left by another rule is
  // never read as an element named secret.
  if (tag && !(s.Matches(value_end, "</") && s.Matches(value_end + 2, key) && s.At(value_end + 2 + key.size()) == '>')) {
    return false;
  }
  s.Copy(q);
  return s.Emit(kSecret, value_end);
}

// Authorization schemes: "Bearer <token>", "Basic <base64>", "Token <token>". The credential must
// look like one (a digit, base64 padding, or long and mixed case), so "Basic configuration" and
// "the bearer of bad news" stay text.
bool TryAuthScheme(Scan& s) {
  for (std::string_view scheme : kAuthSchemes) {
    if (!s.MatchesIgnoreCase(s.i, scheme)) continue;
    const size_t start = s.i + scheme.size();
    const size_t end = CredentialEnd(s, start);
    const size_t length = end - start;
    if (length < 8) continue;
    const Tables& counts = s.t.Counts();
    const bool looks_like_credential =
        Scan::Count(counts.digit, start, end) > 0 || Scan::Count(counts.equals, start, end) > 0 ||
        (length >= 16 && Scan::Count(counts.upper, start, end) > 0 && Scan::Count(counts.lower, start, end) > 0);
    if (!looks_like_credential) continue;
    s.Copy(start);
    return s.Emit(kSecret, end);
  }
  return false;
}

bool TryTokenPrefix(Scan& s) {
  const auto b = static_cast<unsigned char>(s.s[s.i]);
  for (size_t k = kPrefixIndex.first[b]; k < kPrefixIndex.first[b + 1]; ++k) {
    const TokenPrefix& token = kTokenPrefixes[kPrefixIndex.order[k]];
    if (!s.Matches(s.i, token.prefix)) continue;
    const size_t rest = s.i + token.prefix.size();
    size_t end = rest;
    // A token's body is read at most once per prefix that matched: a bounded number of times.
    while (end < s.limit && InBody(s.s[end], token.body)) ++end;
    if (end - rest < token.min_rest) continue;
    // Exact-charset bodies (hex, AWS) must not run on into a longer word.
    if (token.body != Body::Token && token.body != Body::Dotted && s.Glued(end)) continue;
    // A token ends where its characters do, with any base64 padding.
    while (token.body == Body::Token && s.At(end) == '=') ++end;
    return s.Emit(kSecret, end);
  }
  return false;
}

// header.payload.signature, base64url, the header starting {" encoded as eyJ.
bool TryJwt(Scan& s) {
  if (!s.Matches(s.i, "eyJ")) return false;
  size_t p = s.i;
  for (int part = 0; part < 3; ++part) {
    const size_t end = s.End(s.t.token_end, p);
    if (end - p < (part == 2 ? 0u : 4u)) return false;
    p = end;
    if (part < 2) {
      if (s.At(p) != '.') return false;
      ++p;
    }
  }
  return s.Emit(kSecret, p);
}

// Long random-looking strings: 32+ hex digits, or 40+ base64 characters mixing upper case, lower
// case and digits (identifiers and words rarely carry all three at that length). Exactly 40 or 64
// lower-case hex digits are kept: git commits and SHA-256 digests, which name code, not people.
bool TryLongSecret(Scan& s) {
  const size_t end = s.End(s.t.base64_end, s.i);
  const size_t length = end - s.i;
  if (length < 32 || s.Glued(end)) return false;
  const Tables& counts = s.t.Counts();
  const bool digits = Scan::Count(counts.digit, s.i, end) > 0;
  if (Scan::Count(counts.non_hex, s.i, end) == 0 && digits) {
    const bool digest = (length == 40 || length == 64) && Scan::Count(counts.upper, s.i, end) == 0;
    if (digest) return false;
    return s.Emit(kSecret, end);
  }
  if (length < 40 || !digits || Scan::Count(counts.upper, s.i, end) == 0 || Scan::Count(counts.lower, s.i, end) == 0) {
    return false;
  }
  // Relative paths use this alphabet too. A secret with '/' shows its randomness: '+' or '='
  // padding, or letters that keep switching case (a path's CamelCase switches seldom).
  if (Scan::Count(counts.slash, s.i, end) > 0 && Scan::Count(counts.plus, s.i, end) == 0 && s.s[end - 1] != '=') {
    const uint32_t letters = counts.Letters(s.i, end);
    if (Scan::Count(counts.case_switch, s.i, end) * 4 < letters) return false;
  }
  return s.Emit(kSecret, end);
}

}  // namespace phonehome::scrub
