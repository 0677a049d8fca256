// scrub/secrets.cpp: keys, tokens and credentials. Provider formats follow the public patterns of
// gitleaks and GitHub secret scanning; key names follow Sentry Relay's password rule.
// Longer than most files: it is one family of detectors, and most of its length is their tables.
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
    "password", "passwd", "pwd", "pass", "pw", "passphrase", "passcode", "token", "secret", "api_key", "apikey",
    "api-key", "access_key", "accesskey", "access_token", "refresh_token", "id_token", "auth", "auth_token",
    "authorization", "client_secret", "private_key", "privatekey", "secret_key", "session_token", "x-api-key",
    "pgpassword", "credential", "credentials", "creds", "account_key", "accountkey", "cookie", "otp",
    "sessionid", "session_id", "jsessionid", "phpsessid", "csrftoken", "secret_key_base", "pin", "ssn",
};

// Tokenizer settings name a vocabulary entry, not a credential: bos_token, pad_token, eosToken,
// additional_special_token. The word before "token" says which.
constexpr std::string_view kVocabularyTokens[] = {
    "bos", "eos", "pad", "unk", "cls", "sep", "mask", "special", "image", "audio", "video", "start", "end",
};

// Keys whose value runs to the end of the line: a header holds a scheme and a credential, or many
// cookies, and all of it goes.
constexpr std::string_view kLineKeys[] = {"authorization", "proxy-authorization", "cookie", "set-cookie"};

// Words that say something about a secret rather than being one: "the token is invalid" and
// "password: required" keep their last word. An unquoted value is checked against them, whatever
// the form ("passwd: password updated successfully" is the passwd command's own message).
constexpr std::string_view kNotSecrets[] = {
    "a", "an", "the", "not", "no", "now", "too", "also", "only", "still", "already", "being", "invalid",
    "incorrect", "wrong", "expired", "missing", "required", "empty", "null", "none", "nil", "undefined", "set",
    "unset", "correct", "valid", "revoked", "malformed", "blank", "disabled", "enabled", "ok", "okay", "present",
    "absent", "weak", "strong", "needed", "mandatory", "optional", "bad", "good", "stale", "unknown", "false",
    "true", "incomplete", "different", "same", "changed", "reset", "locked", "used", "shared", "stored", "saved",
    "hidden", "visible", "available", "unavailable", "supported", "unsupported", "deprecated", "insecure",
    "secure", "short", "long", "provided", "given", "configured", "specified", "defined", "ignored", "accepted",
    "rejected", "denied", "in", "on", "at", "for", "from", "of", "to", "with", "by", "too_short", "passed",
    "failed", "n/a", "password", "passphrase", "authentication", "all", "must", "should", "cannot", "can't",
    "is", "was", "has", "does", "did", "will", "needs", "contains", "mismatch",
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

// SecretName() is the entry of kSecretKeys that `key` ends with, or "" when it names no secret.
std::string_view SecretName(std::string_view key) {
  if (key.empty()) return {};
  const auto last = static_cast<unsigned char>(Lower(key.back()));
  if (!kNameIndex.Any(last)) return {};
  // "public_key", "publicKeyToken", "public_token" name what anyone may see.
  if (key.size() > 6 && StartsWithIgnoreCase(key, 0, "public") &&
      (key[6] == '_' || key[6] == '-' || IsUpper(key[6]))) {
    return {};
  }
  for (size_t k = kNameIndex.first[last]; k < kNameIndex.first[last + 1]; ++k) {
    const std::string_view name = kSecretKeys[kNameIndex.order[k]];
    if (!EndsWithIgnoreCase(key, name)) continue;
    const size_t at = key.size() - name.size();
    const bool camel = at > 0 && IsLower(key[at - 1]) && IsUpper(key[at]);
    if (at != 0 && key[at - 1] != '_' && key[at - 1] != '-' && !camel) continue;
    if (name == "token" && at > 0) {
      // The word before: "pad" in pad_token, "eos" in eosToken, "special" in additional_special_token.
      const size_t word_end = camel ? at : at - 1;
      size_t word = camel ? at - 1 : word_end;
      if (camel) {
        while (word > 0 && !IsUpper(key[word])) --word;
      } else {
        while (word > 0 && key[word - 1] != '_' && key[word - 1] != '-') --word;
      }
      for (std::string_view vocabulary : kVocabularyTokens) {
        if (EqualsIgnoreCase(key.substr(word, word_end - word), vocabulary)) return {};
      }
    }
    return name;
  }
  return {};
}

bool IsSecretName(std::string_view key) { return !SecretName(key).empty(); }

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
  const size_t unpadded = end;
  while (s.At(end) == '=') ++end;
  // "=" then a word assigns (Token hf_token=None): padding only ends a credential.
  return s.Glued(end) ? unpadded : end;
}

constexpr bool EndsUnquotedValue(char c) {
  return IsSpace(c) || c == '&' || c == ',' || c == ';' || c == '}' || c == ')' || c == ']' || c == '"' || c == '\'';
}

// ---- values that are not secrets --------------------------------------------------------------

// Words that may begin a passphrase though they say something about a password when alone:
// "Password: correct" is a verdict, "Password: correct horse battery staple" a passphrase.
constexpr std::string_view kPhraseStarts[] = {
    "a", "an", "the", "correct", "good", "bad", "strong", "weak", "long", "short", "same", "different", "secure",
    "hidden", "in", "on", "at", "for", "from", "of", "to", "with", "by",
};

bool IsPhraseStart(std::string_view word) {
  for (std::string_view start : kPhraseStarts) {
    if (EqualsIgnoreCase(word, start)) return true;
  }
  return false;
}

// Names whose value may be a phrase of several words.
bool IsPasswordName(std::string_view name) { return name == "password" || name == "passwd" || name == "passphrase"; }

constexpr bool IsIdentifierChar(char c) { return IsAlnum(c) || c == '_'; }

// BracketedEnd() is the end of a vocabulary entry or a template's blank at `at` (<s>, </s>, <pad>,
// <|endoftext|>, [PAD], <your-password>), read at most 48 bytes far, or 0. The scrubber's own
// placeholders are not among them, but may be inside one, where a first pass left them.
size_t BracketedEnd(const Scan& s, size_t at) {
  const char open = s.At(at);
  const char close = open == '<' ? '>' : open == '[' ? ']' : '\0';
  if (close == '\0' || s.PlaceholderAt(at)) return 0;
  size_t p = at + 1;
  while (p < s.limit && p - at <= 48) {
    const char c = s.s[p];
    if (c == '<' && s.PlaceholderAt(p)) {
      p += PlaceholderLength(s.s.substr(0, s.limit), p);
    } else if (IsTokenChar(c) || c == '|' || c == '.' || c == '/' || IsHigh(c)) {
      ++p;
    } else {
      break;
    }
  }
  return p > at + 1 && s.At(p) == close ? p + 1 : 0;
}

// NamesAToken() is true for a name that holds a token or a secret: hf_token, eos_token, password.
bool NamesAToken(std::string_view name) {
  if (IsSecretName(name)) return true;
  if (!EndsWithIgnoreCase(name, "token")) return false;
  const size_t at = name.size() - 5;
  return at == 0 || name[at - 1] == '_' || name[at - 1] == '-' || (IsLower(name[at - 1]) && IsUpper(name[at]));
}

// IsReference() is true when the value at [q, end) says where a secret is kept rather than being
// one: $GITHUB_TOKEN, %API_KEY%, getpass(), os.environ["DB_PASSWORD"], sys.argv[1],
// tokenizer.eos_token, hf_token. ${TOKEN} and $(cat key) are told before the value is read.
bool IsReference(const Scan& s, size_t q, size_t end, bool quoted) {
  if (quoted || end <= q) return false;
  const std::string_view value = s.s.substr(q, end - q);
  // name_end() is where a run of `in_name` characters from `p` ends; a placeholder in a name is
  // what a first pass found in it, after this rule let it be.
  auto name_end = [&](size_t p, bool (*in_name)(char)) {
    while (p < end) {
      if (s.s[p] == '<' && s.PlaceholderAt(p)) {
        p += PlaceholderLength(s.s.substr(0, s.limit), p);
      } else if (in_name(s.s[p])) {
        ++p;
      } else {
        break;
      }
    }
    return p;
  };
  // A shell or Windows variable, named in capitals as environment variables are.
  constexpr auto env_char = [](char c) { return IsUpper(c) || IsDigit(c) || c == '_'; };
  if (value[0] == '$' && value.size() > 1 && !IsDigit(value[1]) && name_end(q + 1, env_char) == end) return true;
  if (value.size() > 2 && value[0] == '%' && value.back() == '%' && !IsDigit(value[1]) &&
      name_end(q + 1, env_char) == end - 1) {
    return true;
  }
  // A call or a subscript: a dotted name, then "(" or "[" and a quote, the bracket's close or an
  // index (getpass(), os.getenv("X"), config["password"], sys.argv[1]).
  if (!IsAlpha(value[0]) && value[0] != '_') return false;
  size_t p = q, segment = q;
  while ((p = name_end(p, IsIdentifierChar)) < end && s.s[p] == '.') segment = ++p;
  if (p < end && (s.s[p] == '(' || s.s[p] == '[')) {
    const char next = s.At(p + 1);
    return next == ')' || next == '"' || next == '\'' || (s.s[p] == '[' && IsDigit(next) && s.At(p + 2) == ']');
  }
  // A variable or an attribute that names a secret: its value is elsewhere. One a first pass found
  // something in (args.<secret>) was let be then.
  const std::string_view last = s.s.substr(segment, end - segment);
  return p == end && segment < end && (NamesAToken(last) || last.find('<') != std::string_view::npos);
}

// LooksTyped() is true for a word typed as a password rather than written as prose: letters with
// digits (hunter2, cisco123), symbols (p@ss), six digits or more. So "password authentication
// failed", "password SHA256 mismatch" and "password 2FA" stay.
bool LooksTyped(std::string_view word) {
  while (!word.empty() && (word.back() == '.' || word.back() == ',' || word.back() == ':' || word.back() == '!' ||
                           word.back() == '?')) {
    word.remove_suffix(1);
  }
  if (word.size() < 4) return false;
  size_t lower = 0, digits = 0, symbols = 0;
  for (char c : word) {
    lower += IsLower(c);
    digits += IsDigit(c);
    symbols += c == '@' || c == '#' || c == '$' || c == '%' || c == '^' || c == '&' || c == '*' || c == '!' ||
               c == '~' || c == '+' || c == '=';
  }
  return (lower > 0 && digits > 0) || symbols > 0 || (digits == word.size() && digits >= 6);
}

// IsWrittenSsn() is true when an SSN in groups is at `at` (078-05-1120, 078 05 1120; the
// separators, the ends and the numbers the number rule takes), which that rule replaces with <ssn>.
bool IsWrittenSsn(const Scan& s, size_t at) {
  auto digits = [&](size_t from, size_t count) {
    for (size_t k = 0; k < count; ++k) {
      if (!IsDigit(s.At(from + k))) return false;
    }
    return true;
  };
  const size_t width = s.Matches(at + 3, "\xE2\x80\x93") ? 3 : 1;
  const std::string_view separator = s.s.substr(std::min(at + 3, s.s.size()), width);
  if (!digits(at, 3) || (width == 1 && std::string_view(" -._").find(s.At(at + 3)) == std::string_view::npos)) return false;
  if (!digits(at + 3 + width, 2) || !s.Matches(at + 5 + width, separator) || !digits(at + 5 + 2 * width, 4)) return false;
  const size_t end = at + 9 + 2 * width;
  if (s.Glued(end) || (s.Matches(end, separator) && IsDigit(s.At(end + width)))) return false;
  const std::string_view area = s.s.substr(at, 3), group = s.s.substr(at + 3 + width, 2);
  const std::string_view serial = s.s.substr(at + 5 + 2 * width, 4);
  return area != "000" && area != "666" && area[0] != '9' && group != "00" && serial != "0000";
}

// IsNotASecret() is true when the value at [q, end), the first word of an unquoted value or the
// whole of a quoted one, is no secret: a verdict, a reference, a vocabulary entry, a count, a mask.
// `more_words` is true when a phrase follows the first word.
bool IsNotASecret(const Scan& s, std::string_view name, size_t q, size_t end, bool quoted, bool more_words) {
  if (end <= q) return true;
  const std::string_view value = s.s.substr(q, end - q);
  if (const size_t bracketed = BracketedEnd(s, q); bracketed != 0 && (quoted ? bracketed == end : bracketed >= end)) {
    return true;
  }
  if (IsReference(s, q, end, quoted)) return true;
  if (quoted) return false;
  if (IsNotSecret(value) && !(more_words && IsPhraseStart(value))) return true;
  // Already masked.
  if (value.find_first_not_of('*') == std::string_view::npos) return true;
  bool digits = true;
  for (char c : value) digits = digits && IsDigit(c);
  // "token: 1234" counts tokens or names one; one-time codes have six digits or more.
  if (name == "token" && digits && value.size() <= 5) return true;
  // A PIN has four digits or more: "pin: 3" is a pin of a chip.
  if (name == "pin" && value.size() < 4) return true;
  return false;
}

// IsNotASecretStart() is true when the first bytes of a value at `q` show it is none: a
// reference (${TOKEN}, $(cat key)), a structure ("password": {"type": "string"}), a written SSN
// (the number rule's), a directory after "pwd" (PWD=/home/alice/proj, which the path rule sees).
// Told before the value is read, so declining never costs its length.
bool IsNotASecretStart(const Scan& s, std::string_view name, size_t q) {
  if (s.At(q) == '$' && (s.At(q + 1) == '{' || s.At(q + 1) == '(')) return true;
  // A written SSN after its key is left to the number rule, which names it: "SSN is <ssn>".
  if (name == "ssn" && IsWrittenSsn(s, q)) return true;
  if (s.At(q) == '{') return true;
  return name == "pwd" && (s.At(q) == '/' || s.At(q) == '~' || (IsAlpha(s.At(q)) && s.At(q + 1) == ':' && s.At(q + 2) == '\\'));
}

// ---- provider tokens --------------------------------------------------------------------------

// What may follow a token's prefix.
enum class Body : uint8_t {
  Token,       // [A-Za-z0-9_-]
  Dotted,      // [A-Za-z0-9_.-]: tokens made of dot-separated parts (SendGrid, Google OAuth)
  Base64,      // [A-Za-z0-9_+/=-]: a base64 part inside the token (Sentry's org tokens)
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
    {"sntrys_", 30, Body::Base64}, {"sntryu_", 32, Body::Hex},           // Sentry
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
    case Body::Base64: return IsBase64Char(c);
    case Body::UpperAlnum: return IsUpper(c) || IsDigit(c);
    case Body::Hex: return IsHex(c);
  }
  return false;
}

// Command lines that take a password as an option's argument: mysql -u root -phunter2 (the
// password glued to -p, right after the user), sshpass -p hunter2. Elsewhere "-p" is a port, a
// parent directory or a prompt (ssh -p 22, mkdir -p, mysql -p dbname), so nothing else counts.
bool TryCommandPassword(Scan& s) {
  size_t p = s.i, user = 0, user_end = 0;
  const bool sshpass = s.Matches(p, "sshpass ");
  if (sshpass) {
    p += 7;
  } else {
    if (s.Matches(p, "--user=")) {
      p += 7;
    } else if (s.Matches(p, "-u")) {
      p += 2;
      while (s.At(p) == ' ') ++p;
    } else {
      return false;
    }
    user = p;
    user_end = s.End(s.t.token_end, p);
    if (user_end == p || s.At(p) == '-') return false;
    p = user_end;
  }
  if (s.At(p) != ' ') return false;
  while (s.At(p) == ' ') ++p;
  if (!s.Matches(p, "-p")) return false;
  p += 2;
  if (sshpass) {
    while (s.At(p) == ' ') ++p;
  }
  const char quote = (s.At(p) == '"' || s.At(p) == '\'') ? s.At(p) : '\0';
  const size_t start = quote != '\0' ? p + 1 : p;
  size_t end = start;
  bool number = true;  // -p8080:80 maps a port (docker run -u 1000 -p8080:80)
  bool found = false;  // a placeholder but "<secret>" alone: what a first pass found after letting the value be
  while (end < s.limit && (quote != '\0' ? s.s[end] != quote && s.s[end] != '\n' : !EndsUnquotedValue(s.s[end]))) {
    number = number && (IsDigit(s.s[end]) || s.s[end] == ':' || s.s[end] == '.');
    found = found || s.PlaceholderAt(end);
    ++end;
  }
  if (s.s.substr(start, end - start) == kSecret) found = false;
  if (end == start || (number && quote == '\0' && end - start <= 24) || found) return false;
  // The user name is text like any other: the rules see it.
  if (!sshpass) {
    s.Copy(user);
    s.Range(user, user_end, s.in_url);
  }
  s.Copy(start);
  return s.Emit(kSecret, end);
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
// <password>hunter2</password>, the password is hunter2, password hunter2 (.netrc), Authorization:
// Bearer …, mysql -u root -phunter2. The key stays, the value goes; a value that is no secret (a
// verdict, a reference, a vocabulary entry) stays too.
bool TryKeyValue(Scan& s) {
  if ((s.At(s.i) == '-' || s.At(s.i) == 's') && TryCommandPassword(s)) return true;
  size_t p = s.i;
  const bool tag = s.At(p) == '<';
  const char key_quote = (s.At(p) == '"' || s.At(p) == '\'') ? s.At(p) : '\0';
  if (tag || key_quote != '\0') ++p;
  const size_t key_end = s.End(s.t.token_end, p);
  if (key_end == p) return false;
  const std::string_view key = s.s.substr(p, key_end - p);
  const std::string_view name = SecretName(key);
  if (name.empty()) return false;
  // Alone, "pin" is a PIN; gpio_pin, led_pin are a chip's pins.
  const bool whole_key = name.size() == key.size();
  if (name == "pin" && !whole_key) return false;
  // "pass" alone is a test's verdict with a colon (PASS: test_io, pass: 42 tests passed), in prose
  // a verb; "pass=…", "--pass …", "DB_PASS: …" are passwords.
  const bool bare_pass = name == "pass" && whole_key;
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  size_t q = key_end;
  bool prose = false;   // "the password is …"
  bool spoken = false;  // "password hunter2": no separator at all
  bool spaced = false;  // "password: a b c": a space after the separator, as in YAML and prose
  bool quote_closed = false;  // "password": …, as against "password=…"
  if (tag) {
    if (s.At(q) != '>') return false;
    ++q;
  } else {
    quote_closed = s.At(q) == '"' || s.At(q) == '\'';
    if (key_quote != '\0' && s.At(q) == key_quote) ++q;
    const bool flag = key_quote == '\0' && s.i >= s.begin + 2 && s.s[s.i - 1] == '-' && s.s[s.i - 2] == '-';
    const size_t after_key = q;
    while (blank(s.At(q))) ++q;
    if (s.At(q) == '=' || s.At(q) == ':') {
      if (bare_pass && s.At(q) == ':') return false;
      ++q;
      if (s.At(q) == '>' || s.At(q) == '=') ++q;  // password => hunter2, password := hunter2
      spaced = blank(s.At(q));
      while (blank(s.At(q))) ++q;
    } else if (key_quote == '\0' && q > after_key && !bare_pass && s.MatchesIgnoreCase(q, "is") &&
               (s.At(q + 2) == ' ' || (s.At(q + 2) == ':' && s.At(q + 3) == ' '))) {
      q += s.At(q + 2) == ':' ? 3 : 2;
      while (s.At(q) == ' ') ++q;
      prose = true;
    } else if (flag && q > after_key) {  // --password hunter2
    } else if (key_quote == '\0' && q > after_key && IsPasswordName(name)) {
      spoken = true;
    } else {
      return false;
    }
  }
  const char quote = (s.At(q) == '"' || s.At(q) == '\'') ? s.At(q) : '\0';
  if (spoken && quote != '\0') return false;
  // "Password: " in quotes is a prompt: the quote that follows closes it and opens no value.
  const char opened = key_quote != '\0' ? key_quote
                      : (s.i > s.begin && (s.s[s.i - 1] == '"' || s.s[s.i - 1] == '\'')) ? s.s[s.i - 1] : '\0';
  if (!tag && opened != '\0' && !quote_closed && quote == opened) return false;
  if (quote != '\0') ++q;
  if (IsNotASecretStart(s, name, q)) return false;
  // A value a first pass scrubbed: "<secret>" alone is scrubbed again the same way, so the key is
  // read as it was; a value starting with any other placeholder, or with more after it, is one
  // this rule let be, and another rule found something in.
  const size_t placeholder = tag ? 0 : PlaceholderLength(s.s.substr(0, s.limit), q);
  if (placeholder > 0) {
    const char after = s.At(q + placeholder);
    const bool alone = quote != '\0' ? after == quote : after == '\0' || EndsUnquotedValue(after);
    if (!alone || s.s.substr(q, placeholder) != kSecret) return false;
  }
  const bool whole_line = IsLineKey(key);
  // The first word of an unquoted value; all of a quoted or a tag's.
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
    } else if (EndsUnquotedValue(c)) {
      break;
    }
    ++value_end;
  }
  if (value_end == q) return false;
  const bool unquoted = quote == '\0' && !tag;
  // A password written with a space after its separator may be a phrase (Password: correct horse
  // battery staple), and a passphrase is one however written: it runs over the words that follow,
  // to the end of the line, a "," or ";", the next key (password: a b user=bob) or a placeholder.
  const bool phrase = unquoted && !prose && !spoken && (IsPasswordName(name) && (spaced || name == "passphrase"));
  size_t next_word = value_end;
  while (blank(s.At(next_word))) ++next_word;
  const bool more_words = (phrase || whole_line) && next_word > value_end && s.At(next_word) != '\0' &&
                          !EndsUnquotedValue(s.At(next_word));
  if (placeholder == 0 && (unquoted || quote != '\0')) {
    if (IsNotASecret(s, name, q, value_end, quote != '\0', more_words)) return false;
    // A word a first pass found something in was let be then.
    const std::string_view word = s.s.substr(q, value_end - q);
    if (spoken && (!LooksTyped(word) || word.find('<') != std::string_view::npos)) return false;
  }
  if (whole_line && unquoted) {
    while (value_end < s.limit && s.s[value_end] != '\n' && s.s[value_end] != '\r') ++value_end;
  } else if (phrase) {
    for (size_t r = value_end; blank(s.At(r));) {
      size_t w = r;
      while (blank(s.At(w))) ++w;
      const char c = s.At(w);
      // A placeholder starts what another rule found after the phrase, where a first pass stopped.
      if (c == '\0' || EndsUnquotedValue(c) || s.PlaceholderAt(w)) break;
      const size_t word_end = s.End(s.t.token_end, w);
      // The next key; what a first pass found inside it ends its name too.
      if (IsAlpha(c) && (s.At(word_end) == '=' || s.At(word_end) == ':' || s.PlaceholderAt(word_end))) break;
      r = w;
      while (r < s.limit && !EndsUnquotedValue(s.s[r])) ++r;
      value_end = r;
    }
  }
  // A private key as the value: the whole block goes, not its first line.
  if (s.Matches(q, "-----BEGIN")) value_end = BlockEnd(s, q + 10, "-----END", "-----");
  if (s.Matches(q, "---- BEGIN SSH2")) value_end = BlockEnd(s, q + 15, "---- END", "----");
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

// AWS key ids are AKIA (ASIA, ABIA, ACCA) and 16 characters of base32: inside a word
// (AWSAKIAIOSFODNN7EXAMPLE) only that exact shape is looked for.
bool IsAwsKeyId(const TokenPrefix& token) { return token.body == Body::UpperAlnum && token.prefix.size() == 4; }
constexpr size_t kAwsKeyIdBody = 16;
constexpr bool IsBase32(char c) { return IsUpper(c) || (c >= '2' && c <= '7'); }

bool TryTokenPrefix(Scan& s) {
  // Glued to a word, a token is looked for after "_" (key_ghp_…, x_sk-…) with a body that looks
  // random, and after a letter or a digit only as an AWS key id. What follows a placeholder counts
  // as glued to a letter, so a second pass sees what the first did.
  const bool glued = !s.AtTokenStart();
  const bool after_underscore = glued && s.i != s.after_match && s.s[s.i - 1] == '_';
  const auto b = static_cast<unsigned char>(s.s[s.i]);
  for (size_t k = kPrefixIndex.first[b]; k < kPrefixIndex.first[b + 1]; ++k) {
    const TokenPrefix& token = kTokenPrefixes[kPrefixIndex.order[k]];
    if (!s.Matches(s.i, token.prefix)) continue;
    const size_t rest = s.i + token.prefix.size();
    size_t end = rest;
    if (glued && !after_underscore) {
      // Inside a word: an AWS key id of exactly its length, read no further.
      if (!IsAwsKeyId(token)) continue;
      while (end < s.limit && end - rest <= kAwsKeyIdBody && IsBase32(s.s[end])) ++end;
      if (end - rest != kAwsKeyIdBody || s.Glued(end)) continue;
      return s.Emit(kSecret, end);
    }
    // Bodies that may hold "_" are looked up: after each "_" of a long run a prefix may be tried.
    // The others end at the next "_", and a token start reads them once.
    if (token.body == Body::Token) {
      end = s.End(s.t.token_end, rest);
    } else if (token.body == Body::Base64) {
      end = s.End(s.t.base64_end, rest);
    } else if (token.body == Body::Dotted && glued) {
      continue;
    } else {
      // A token's body is read at most once per prefix that matched: a bounded number of times.
      while (end < s.limit && InBody(s.s[end], token.body)) ++end;
    }
    if (end - rest < token.min_rest) continue;
    // Exact-charset bodies (hex, AWS) must not run on into a longer word.
    if ((token.body == Body::Hex || token.body == Body::UpperAlnum) && s.Glued(end)) continue;
    if (glued && token.body == Body::Token) {
      // After "_" in an identifier (load_hf_dataset_from_disk_with_cache) a body of words is no
      // token: providers' bodies are random and mix digits and capitals.
      const Tables& counts = s.t.Counts();
      if (Scan::Count(counts.digit, rest, end) == 0 || Scan::Count(counts.upper, rest, end) == 0) continue;
    }
    // A token ends where its characters do, with any base64 padding.
    while (token.body == Body::Token && s.At(end) == '=') ++end;
    return s.Emit(kSecret, end);
  }
  return false;
}

// header.payload.signature, base64url, the header starting {" encoded as eyJ; or an unsigned
// header.payload, both parts JSON objects (eyJ….eyJ…).
bool TryJwt(Scan& s) {
  if (!s.Matches(s.i, "eyJ")) return false;
  size_t p = s.i;
  for (int part = 0; part < 3; ++part) {
    const size_t end = s.End(s.t.token_end, p);
    if (end - p < (part == 2 ? 0u : 4u)) return false;
    if (part == 1 && s.At(end) != '.' && s.Matches(p, "eyJ")) return s.Emit(kSecret, end);
    p = end;
    if (part < 2) {
      if (s.At(p) != '.') return false;
      ++p;
    }
  }
  return s.Emit(kSecret, p);
}

namespace {

// IsCamelCaseName() is true when [from, end), letters, digits and "_" only, reads as a class or
// a test name (Wav2Vec2ConformerForSequenceClassification, TestReconcileTaskSpawnerWithGitHubSource2Repos):
// at most one digit in ten characters, no more capitals than small letters, and words: runs of
// small letters three long on average and a third of them vowels, where a random key's run
// averages under two and a fifth of its letters are vowels. It reads from a token start to the
// first other character at most, where the next token start is: each word is read once.
bool IsCamelCaseName(const Scan& s, size_t from, size_t end) {
  const Tables& counts = s.t.Counts();
  const size_t length = end - from;
  const uint32_t digits = Scan::Count(counts.digit, from, end), upper = Scan::Count(counts.upper, from, end);
  const uint32_t lower = Scan::Count(counts.lower, from, end);
  if (digits * 10 > length || upper > lower) return false;
  size_t lower_runs = 0, vowels = 0;
  for (size_t p = from; p < end; ++p) {
    const char c = s.s[p];
    if (!IsWord(c)) return false;
    if (!IsLower(c)) continue;
    lower_runs += p == from || !IsLower(s.s[p - 1]);
    vowels += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  }
  return lower >= 3 * lower_runs && 3 * vowels >= lower;
}

}  // namespace

// Long random-looking strings: 32+ hex digits, or 40+ base64 characters mixing upper case, lower
// case and digits (identifiers and words rarely carry all three at that length, and CamelCase
// names that do are told by their words). Exactly 40 or 64 lower-case hex digits are kept: git
// commits and SHA-256 digests, which name code, not people.
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
  if (IsCamelCaseName(s, s.i, end)) return false;
  // Relative paths use this alphabet too. A secret with '/' shows its randomness: '+' or '='
  // padding, or letters that keep switching case (a path's CamelCase switches seldom).
  if (Scan::Count(counts.slash, s.i, end) > 0 && Scan::Count(counts.plus, s.i, end) == 0 && s.s[end - 1] != '=') {
    const uint32_t letters = counts.Letters(s.i, end);
    if (Scan::Count(counts.case_switch, s.i, end) * 4 < letters) return false;
  }
  return s.Emit(kSecret, end);
}

}  // namespace phonehome::scrub
