// scrub/network.cpp: where a machine or a person can be reached: URLs, e-mail addresses, IP and MAC
// addresses, and the names personal machines give themselves.
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

// ---- URLs -----------------------------------------------------------------------------------

constexpr bool EndsUrl(char c) { return IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`'; }

// LooksRandom() is true for a URL path segment that can only be a key: long, of token characters,
// with letters and digits that keep alternating. Slugs ("release-notes-2024"), UUIDs and commit
// hashes (40 or 64 lower-case hex) name things, not people, and stay.
bool LooksRandom(std::string_view segment) {
  if (segment.size() < 20) return false;
  size_t digits = 0, letters = 0, switches = 0, hex = 0;
  int previous = -1;  // 0 lower, 1 upper, 2 digit
  bool uuid = segment.size() == 36;
  for (size_t k = 0; k < segment.size(); ++k) {
    const char c = segment[k];
    if (!IsTokenChar(c)) return false;
    const bool dash_place = k == 8 || k == 13 || k == 18 || k == 23;
    uuid = uuid && (dash_place ? c == '-' : IsHex(c));
    hex += IsHex(c) && !IsUpper(c);
    const int kind = IsLower(c) ? 0 : IsUpper(c) ? 1 : IsDigit(c) ? 2 : -1;
    if (kind < 0) {
      previous = -1;
      continue;
    }
    digits += kind == 2;
    letters += kind != 2;
    if (previous >= 0 && kind != previous) ++switches;
    previous = kind;
  }
  if (uuid || ((segment.size() == 40 || segment.size() == 64) && hex == segment.size())) return false;
  return digits > 0 && letters > 0 && switches * 4 >= segment.size();
}

// WebhookSecretAt() is where the secret part of a webhook URL's path starts (Slack, Discord,
// Microsoft Teams), or npos: everything after it is the webhook's credential.
size_t WebhookSecretAt(std::string_view host, std::string_view path) {
  const size_t colon = host.find(':');
  if (colon != std::string_view::npos) host = host.substr(0, colon);
  if (EqualsIgnoreCase(host, "hooks.slack.com")) {
    for (std::string_view prefix : {"/services/", "/workflows/", "/triggers/"}) {
      if (StartsWithIgnoreCase(path, 0, prefix)) return prefix.size();
    }
  }
  const bool discord = EqualsIgnoreCase(host, "discord.com") || EqualsIgnoreCase(host, "discordapp.com") ||
                       EndsWithIgnoreCase(host, ".discord.com");
  if (discord) {
    const size_t at = path.substr(0, 24).find("/webhooks/");
    if (StartsWithIgnoreCase(path, 0, "/api/") && at != std::string_view::npos) return at + 10;
  }
  if (EndsWithIgnoreCase(host, ".webhook.office.com") || EqualsIgnoreCase(host, "outlook.office.com")) {
    for (std::string_view prefix : {"/webhookb2/", "/webhook/"}) {
      if (StartsWithIgnoreCase(path, 0, prefix)) return prefix.size();
    }
  }
  return std::string_view::npos;
}

// ScrubUrlPath() writes a URL's path: a webhook's secret part, or any segment that looks like a key,
// becomes <secret>; the rest is scrubbed like text (addresses, e-mails, tokens).
void ScrubUrlPath(Scan& s, std::string_view host, size_t from, size_t to) {
  const size_t secret = WebhookSecretAt(host, s.s.substr(from, to - from));
  if (secret != std::string_view::npos && from + secret < to) {
    s.out.append(s.s.substr(from, secret));
    s.out.append(kSecret);
    return;
  }
  size_t segment = from;
  while (segment < to) {
    size_t end = segment;
    while (end < to && s.s[end] != '/') ++end;
    if (LooksRandom(s.s.substr(segment, end - segment))) {
      s.out.append(kSecret);
    } else {
      s.Range(segment, end, true);
    }
    if (end < to) s.out.push_back('/');
    segment = end + 1;
  }
}

// ---- IP addresses ---------------------------------------------------------------------------

// ReadOctet() reads one part of an IPv4 address: 1-3 decimal digits (leading zeros too, as inet_aton
// and many logs write them) or 0x and 1-2 hex digits, with a value up to 255.
bool ReadOctet(const Scan& s, size_t& p) {
  if (s.At(p) == '0' && (s.At(p + 1) == 'x' || s.At(p + 1) == 'X') && IsHex(s.At(p + 2))) {
    const size_t start = p + 2;
    size_t q = start;
    while (q < s.limit && IsHex(s.s[q]) && q - start < 3) ++q;
    if (q - start > 2) return false;
    p = q;
    return true;
  }
  const size_t start = p;
  int value = 0;
  while (p < s.limit && IsDigit(s.s[p]) && p - start < 4) value = value * 10 + (s.s[p++] - '0');
  return p > start && p - start <= 3 && value <= 255;
}

// Ipv4End() is the end of an IPv4 address at `from`, or 0: four parts, not part of a longer dotted
// number (a five-part version, an OID) nor of a longer word.
size_t Ipv4End(const Scan& s, size_t from) {
  size_t p = from;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.At(p) != '.') return 0;
      ++p;
    }
    if (!ReadOctet(s, p)) return 0;
  }
  if (s.Glued(p) || s.Continues(p, ".")) return 0;
  return p;
}

// ---- host names -----------------------------------------------------------------------------

// Suffixes only a home or local network resolves: mDNS (.local), home routers, RFC 8375.
constexpr std::string_view kLocalSuffixes[] = {".local", ".localdomain", ".lan", ".home", ".home.arpa"};
// Model names machines take after their owner: "Janes-MacBook-Pro", "jane-ThinkPad-X1-Carbon".
constexpr std::string_view kDeviceWords[] = {"macbook", "macbookpro", "macbookair", "mbp", "imac", "iphone", "ipad",
                                             "thinkpad"};

bool IsDeviceWord(std::string_view word, std::string_view next) {
  for (std::string_view device : kDeviceWords) {
    if (EqualsIgnoreCase(word, device)) return true;
  }
  return EqualsIgnoreCase(word, "mac") &&
         (EqualsIgnoreCase(next, "mini") || EqualsIgnoreCase(next, "studio") || EqualsIgnoreCase(next, "pro"));
}

bool IsPersonalHost(std::string_view name) {
  for (std::string_view suffix : kLocalSuffixes) {
    if (name.size() > suffix.size() && EndsWithIgnoreCase(name, suffix) && name[name.size() - suffix.size() - 1] != '.') {
      return true;
    }
  }
  const std::string_view label = name.substr(0, name.find('.'));
  // Windows names a new machine DESKTOP- or LAPTOP- and 7 or 8 random capitals and digits.
  for (std::string_view prefix : {std::string_view("DESKTOP-"), std::string_view("LAPTOP-")}) {
    if (label.size() < prefix.size() + 7 || label.size() > prefix.size() + 8 || label.substr(0, prefix.size()) != prefix) continue;
    bool random = true;
    for (char c : label.substr(prefix.size())) random = random && (IsUpper(c) || IsDigit(c));
    if (random) return true;
  }
  // An owner's name, then a model: only from the second hyphenated word on.
  size_t start = label.find('-');
  while (start != std::string_view::npos) {
    const size_t end = label.find('-', start + 1);
    const std::string_view word = label.substr(start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
    const std::string_view next = end == std::string_view::npos ? std::string_view() : label.substr(end + 1, label.find('-', end + 1) - end - 1);
    if (IsDeviceWord(word, next)) return true;
    start = end;
  }
  return false;
}

}  // namespace

// scheme://[credentials@]host[:port][/path][?query][#fragment]
bool TryUrl(Scan& s) {
  const size_t p = s.End(s.t.scheme_end, s.i);
  if (!s.Matches(p, "://")) return false;
  const size_t authority = p + 3;
  if (p - s.i == 4 && StartsWithIgnoreCase(s.s, s.i, "file")) {
    // file://[host]/home/alice/x.py is a path, whatever its scheme and host.
    size_t path = authority;
    while (path < s.limit && IsPosixPathChar(s.s[path]) && s.s[path] != '/') ++path;
    s.Copy(path);
    TryPath(s, /*after_scheme=*/true);
    return true;
  }
  size_t end = authority;
  while (end < s.limit) {
    const size_t placeholder = s.s[end] == '<' ? PlaceholderLength(s.s.substr(0, s.limit), end) : 0;
    if (placeholder == 0 && EndsUrl(s.s[end])) break;
    end += placeholder > 0 ? placeholder : 1;
  }
  // A sentence's closing punctuation is not part of the URL.
  while (end > authority && (s.s[end - 1] == '.' || s.s[end - 1] == ',' || s.s[end - 1] == ')' || s.s[end - 1] == ';')) --end;
  size_t host_end = authority;
  while (host_end < end && s.s[host_end] != '/' && s.s[host_end] != '?' && s.s[host_end] != '#') ++host_end;
  s.Copy(authority);
  size_t host = authority;
  for (size_t k = authority; k < host_end; ++k) {
    if (s.s[k] == '@') host = k + 1;
  }
  if (host != authority) {
    s.out.append(kSecret);
    s.out.push_back('@');
  }
  size_t query = host_end;
  while (query < end && s.s[query] != '?' && s.s[query] != '#') ++query;
  // The host (an address becomes <ip>, a personal machine <host>, a name stays) and the path.
  s.Range(host, host_end, true);
  ScrubUrlPath(s, s.s.substr(host, host_end - host), host_end, query);
  if (query < end) {
    s.out.push_back(s.s[query]);
    // An empty query ("…/page#" before "<query>" left by a first pass) has nothing to replace.
    if (query + 1 < end) s.out.append(kQuery);
  }
  s.i = end;
  return true;
}

// local@domain. The local part and the domain may hold non-ASCII letters (jörg@bücher.de); the
// domain may be localhost or an address literal (user@[10.0.0.1]).
bool TryEmail(Scan& s) {
  const size_t local_end = s.End(s.t.local_end, s.i);
  if (local_end == s.i || s.At(local_end) != '@') return false;
  const size_t domain_start = local_end + 1;
  if (s.At(domain_start) == '[') {
    size_t close = domain_start + 1;
    while (close < s.limit && close < domain_start + 48 && (IsHex(s.s[close]) || s.s[close] == ':' || s.s[close] == '.')) ++close;
    if (s.At(close) == ']' && close > domain_start + 2) return s.Emit(kEmail, close + 1);
    return false;
  }
  const Tables& counts = s.t.Counts();
  size_t domain_end = s.End(s.t.domain_end, domain_start);
  if (s.Glued(domain_end)) return false;  // the domain runs on into what a first pass replaced
  domain_end = counts.domain_trim[domain_end] > domain_start ? counts.domain_trim[domain_end] : domain_start;
  if (domain_end == domain_start) return false;
  if (domain_end - domain_start == 9 && StartsWithIgnoreCase(s.s, domain_start, "localhost")) return s.Emit(kEmail, domain_end);
  if (Ipv4End(s, domain_start) == domain_end) return s.Emit(kEmail, domain_end);
  // A user at a personal machine, as a shell prompt writes it: jane@jane-ThinkPad.
  if (IsPersonalHost(s.s.substr(domain_start, domain_end - domain_start))) return s.Emit(kEmail, domain_end);
  const uint32_t dot = counts.last_dot[domain_end];
  if (dot == Tables::kNone || dot <= domain_start || domain_end - dot < 3) return false;
  // A top-level domain is letters: ASCII, non-ASCII (IDN), or punycode (xn--).
  const size_t tld_length = domain_end - dot - 1;
  const uint32_t letters = counts.Letters(dot + 1, domain_end);
  const uint32_t high = Scan::Count(counts.high, dot + 1, domain_end);
  if (letters + high != tld_length && !StartsWithIgnoreCase(s.s, dot + 1, "xn--")) return false;
  // Image assets at 2x and 3x resolution (logo@2x.png) are file names.
  if (IsDigit(s.At(domain_start)) && (s.At(domain_start + 1) == 'x' || (IsDigit(s.At(domain_start + 1)) && s.At(domain_start + 2) == 'x'))) {
    return false;
  }
  return s.Emit(kEmail, domain_end);
}

bool TryIpv4(Scan& s) {
  if (s.i > s.begin && s.s[s.i - 1] == '.') return false;
  // .NET assembly identities write their version as four numbers: Version=4.0.0.0. The word is
  // read from what was written, so a second pass sees what the first did.
  const std::string_view written = s.out;
  if (written.size() >= 8 && (EndsWithIgnoreCase(written, "version=") || EndsWithIgnoreCase(written, "version "))) return false;
  const size_t end = Ipv4End(s, s.i);
  return end != 0 && s.Emit(kIp, end);
}

bool TryGluedIpv4(Scan& s) {
  const char previous = s.s[s.i - 1];
  if (IsDigit(previous)) return false;
  // v1.2.3.4 is a version: a lone "v" before the number says so.
  if ((previous == 'v' || previous == 'V') && (s.i - 1 == s.begin || !IsWord(s.s[s.i - 2]))) return false;
  const size_t end = Ipv4End(s, s.i);
  return end != 0 && s.Emit(kIp, end);
}

bool TryIpv6(Scan& s) {
  if (s.i > s.begin && (s.s[s.i - 1] == ':' || IsWord(s.s[s.i - 1]))) return false;
  size_t p = s.i;
  int groups = 0;
  int colons = 0;
  bool compressed = false;
  bool digit = false;
  while (p < s.limit && groups <= 8 && colons <= 8) {
    const size_t start = p;
    while (p < s.limit && IsHex(s.s[p]) && p - start < 5) {
      digit = digit || IsDigit(s.s[p]);
      ++p;
    }
    const size_t length = p - start;
    if (length > 4) return false;
    if (length > 0) ++groups;
    if (s.At(p) == '.' && groups > 0 && colons >= 2) {
      // An IPv4 tail (::ffff:10.0.0.1): its digits are the last group.
      const size_t tail = Ipv4End(s, start);
      if (tail == 0) return false;
      p = tail;
      digit = true;
      break;
    }
    if (s.At(p) != ':') break;
    ++colons;
    ++p;
    if (s.At(p) == ':') {
      if (compressed) return false;
      compressed = true;
      ++colons;
      ++p;
    }
  }
  // Glued to a word (or to what a first pass replaced) where it ends, it is not an address.
  if (s.Glued(p)) return false;
  while (p > s.i && s.s[p - 1] == ':' && !(p >= s.i + 2 && s.s[p - 2] == ':')) --p;  // a trailing ':' is text
  if (colons < 2 || !digit) return false;
  if (compressed ? groups > 7 : groups != 8) return false;
  // A zone names the interface: fe80::1%eth0.
  if (s.At(p) == '%' && IsAlnum(s.At(p + 1))) {
    size_t zone = p + 1;
    while (zone < s.limit && zone < p + 33 && (IsTokenChar(s.s[zone]) || s.s[zone] == '.')) ++zone;
    p = zone;
  }
  return s.Emit(kIp, p);
}

// aa:bb:cc:dd:ee:ff and AA-BB-CC-DD-EE-FF (EUI-48), the same with eight groups (EUI-64), and
// Cisco's aabb.ccdd.eeff.
bool TryMac(Scan& s) {
  const size_t at = s.i;
  // Not the middle of a longer run of groups (a placeholder before stands for what was there).
  if (at >= s.begin + 2 && (s.s[at - 1] == ':' || s.s[at - 1] == '-' || s.s[at - 1] == '.') &&
      (IsHex(s.s[at - 2]) || (s.s[at - 2] == '>' && Scan::PlaceholderBefore(s.s.substr(s.begin), at - 1 - s.begin)))) {
    return false;
  }
  auto hex_run = [&](size_t from, size_t count) {
    for (size_t k = 0; k < count; ++k) {
      if (!IsHex(s.At(from + k))) return false;
    }
    return true;
  };
  const char separator = s.At(at + 2);
  if ((separator == ':' || separator == '-') && hex_run(at, 2)) {
    size_t p = at + 2;
    int groups = 1;
    while (groups < 8 && s.At(p) == separator && hex_run(p + 1, 2) && !IsHex(s.At(p + 3))) {
      p += 3;
      ++groups;
    }
    const bool continues = s.Glued(p) || s.Continues(p, std::string_view(&separator, 1), IsHex);
    return (groups == 6 || groups == 8) && !continues && s.Emit(kMac, p);
  }
  if (hex_run(at, 4) && s.At(at + 4) == '.' && hex_run(at + 5, 4) && s.At(at + 9) == '.' && hex_run(at + 10, 4)) {
    const size_t p = at + 14;
    const bool continues = s.Glued(p) || s.Continues(p, ".", IsHex);
    return !continues && s.Emit(kMac, p);
  }
  return false;
}

bool TryHostName(Scan& s) {
  // Tried only at the first byte of a run, so each run is read once.
  if (!s.RunStart(s.i, IsHostChar)) return false;
  size_t end = s.i;
  bool joined = false;  // every shape below has a '.' or a '-'
  for (; end < s.limit && IsHostChar(s.s[end]); ++end) joined = joined || s.s[end] == '.' || s.s[end] == '-';
  if (!joined || s.PlaceholderAt(end)) return false;  // (or the name ran on into what a first pass replaced)
  while (end > s.i && (s.s[end - 1] == '.' || s.s[end - 1] == '-')) --end;  // sentence punctuation
  return IsPersonalHost(s.s.substr(s.i, end - s.i)) && s.Emit(kHost, end);
}

// "Jane's MacBook Pro": macOS names a machine after its owner until they rename it.
bool TryDeviceName(Scan& s) {
  const size_t word_end = s.End(s.t.token_end, s.i);
  size_t p = word_end;
  if (s.At(p) == '\'') {
    p += 1;
  } else if (s.Matches(p, "\xE2\x80\x99")) {  // U+2019, the typographic apostrophe macOS writes
    p += 3;
  } else {
    return false;
  }
  if (!((s.At(p) == 's' || s.At(p) == 'S') && s.At(p + 1) == ' ')) return false;
  p += 2;
  static constexpr std::string_view kDevices[] = {"macbook pro", "macbook air", "macbook", "imac", "mac mini",
                                                  "mac studio", "mac pro", "iphone", "ipad"};
  for (std::string_view device : kDevices) {
    if (s.MatchesIgnoreCase(p, device) && !s.Glued(p + device.size())) return s.Emit(kHost, p + device.size());
  }
  return false;
}

}  // namespace phonehome::scrub
