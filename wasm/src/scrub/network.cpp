// scrub/network.cpp: where a machine or a person can be reached: URLs, e-mail addresses, IP and MAC
// addresses, and the names personal machines give themselves.
// Longer than most files: one family of detectors, which share host and address readers.
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

// IsOneOf() is true when `word` is one of `words`, ignoring ASCII case.
template <size_t N>
bool IsOneOf(std::string_view word, const std::string_view (&words)[N]) {
  for (std::string_view candidate : words) {
    if (EqualsIgnoreCase(word, candidate)) return true;
  }
  return false;
}

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
// Microsoft Teams, Zapier, IFTTT), or npos: everything after it is the webhook's credential.
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
  // /api/webhooks/… or /api/v10/webhooks/…: read exactly, since a longer segment in its place may
  // become <secret> itself, and a second pass must find what the first did.
  if (discord && StartsWithIgnoreCase(path, 0, "/api/")) {
    size_t at = 5;
    if (at < path.size() && (path[at] == 'v' || path[at] == 'V')) {
      size_t end = at + 1;
      while (end < path.size() && end - at <= 3 && IsDigit(path[end])) ++end;
      if (end > at + 1 && end < path.size() && path[end] == '/') at = end + 1;
    }
    if (StartsWithIgnoreCase(path, at, "webhooks/")) return at + 9;
  }
  if (EndsWithIgnoreCase(host, ".webhook.office.com") || EqualsIgnoreCase(host, "outlook.office.com")) {
    for (std::string_view prefix : {"/webhookb2/", "/webhook/"}) {
      if (StartsWithIgnoreCase(path, 0, prefix)) return prefix.size();
    }
  }
  if (EqualsIgnoreCase(host, "hooks.zapier.com") && StartsWithIgnoreCase(path, 0, "/hooks/catch/")) return 13;
  // IFTTT's Webhooks: /trigger/<event>/with/key/<key>, /trigger/<event>/json/with/key/<key>, /use/<key>.
  if (EqualsIgnoreCase(host, "maker.ifttt.com")) {
    if (StartsWithIgnoreCase(path, 0, "/use/")) return 5;
    const size_t at = path.find("/with/key/");
    if (StartsWithIgnoreCase(path, 0, "/trigger/") && at != std::string_view::npos) return at + 10;
  }
  return std::string_view::npos;
}

// A Telegram bot's token in the Bot API's path: /bot<id>:<key>/getMe, /file/bot<id>:<key>/….
bool IsTelegramBotSegment(std::string_view segment) {
  if (!StartsWithIgnoreCase(segment, 0, "bot")) return false;
  size_t p = 3;
  while (p < segment.size() && IsDigit(segment[p])) ++p;
  if (p < 3 + 5 || p > 3 + 12 || p >= segment.size() || segment[p] != ':') return false;
  const std::string_view key = segment.substr(p + 1);
  for (char c : key) {
    if (!IsTokenChar(c)) return false;
  }
  return key.size() >= 30;
}

// The key of a self-hosted webhook (Mattermost, Rocket.Chat, Gitea's /hooks/<key>): a segment of
// 16 or more token characters, letters and digits both, right after hooks/, webhook/ or webhooks/.
// GitHub's and GitLab's numeric hook ids and a slug ("stripe-payment-events") stay.
bool IsHookKey(std::string_view previous, std::string_view segment) {
  static constexpr std::string_view kHookFolders[] = {"hooks", "webhook", "webhooks"};
  if (!IsOneOf(previous, kHookFolders)) return false;
  if (segment.size() < 16) return false;
  bool letter = false, digit = false;
  for (char c : segment) {
    if (!IsTokenChar(c)) return false;
    letter = letter || IsAlpha(c);
    digit = digit || IsDigit(c);
  }
  return letter && digit;
}

// A home folder in a URL's path (sftp://host/home/jdoe/…, Jupyter's /tree/home/jdoe/…,
// vscode-remote://…/home/jdoe/…): the name after home/ or Users/ (cased as the systems write
// them, as in paths.cpp) is a user's. Not a page (a last segment with a dot: /home/index.html) nor
// a site's own route under /home/ or an MVC app's /Users/Edit/42.
bool IsUserFolder(std::string_view folder, std::string_view name, bool last) {
  if (folder != "home" && folder != "Users") return false;
  if (name.empty() || name.size() > 64 || !(IsAlpha(name[0]) || IsHigh(name[0]))) return false;
  for (char c : name) {
    if (!IsPosixPathChar(c)) return false;
  }
  if (last && name.find('.') != std::string_view::npos) return false;
  static constexpr std::string_view kRoutes[] = {"index", "about", "default", "main", "dashboard", "details", "edit",
                                                 "create", "delete", "list", "new", "show", "profile", "settings",
                                                 "login", "logout", "register", "search", "me", "self", "current",
                                                 "page", "feed", "news", "contact"};
  for (std::string_view route : kRoutes) {
    if (EqualsIgnoreCase(name, route)) return false;
  }
  return true;
}

// ScrubUrlPath() writes a URL's path: a webhook's secret part, a bot's token, or any segment that
// looks like a key, becomes <secret>; from a home folder on it is <path>; the rest is scrubbed like
// text (addresses, e-mails, tokens).
void ScrubUrlPath(Scan& s, std::string_view host, size_t from, size_t to) {
  const size_t secret = WebhookSecretAt(host, s.s.substr(from, to - from));
  if (secret != std::string_view::npos && from + secret < to) {
    s.out.append(s.s.substr(from, secret));
    s.out.append(kSecret);
    return;
  }
  size_t segment = from;
  std::string_view previous;
  while (segment < to) {
    size_t end = segment;
    while (end < to && s.s[end] != '/') ++end;
    const std::string_view text = s.s.substr(segment, end - segment);
    if (end < to) {
      size_t name_end = end + 1;
      while (name_end < to && s.s[name_end] != '/') ++name_end;
      if (IsUserFolder(text, s.s.substr(end + 1, name_end - end - 1), name_end == to)) {
        s.out.append(kPath);
        return;
      }
    }
    if (IsHookKey(previous, text)) {
      s.out.append(kSecret);
      return;
    }
    if (LooksRandom(text) || IsTelegramBotSegment(text)) {
      s.out.append(kSecret);
    } else {
      s.Range(segment, end, true);
    }
    if (end < to) s.out.push_back('/');
    previous = text;
    segment = end + 1;
  }
}

// ---- IP addresses ---------------------------------------------------------------------------

// ReadOctet() reads one part of an IPv4 address: 1-3 decimal digits (leading zeros too, as inet_aton
// and many logs write them) or 0x and 1-2 hex digits, with a value up to 255.
bool ReadOctet(const Scan& s, size_t& p, int& value) {
  value = 0;
  if (s.At(p) == '0' && (s.At(p + 1) == 'x' || s.At(p + 1) == 'X') && IsHex(s.At(p + 2))) {
    const size_t start = p + 2;
    size_t q = start;
    while (q < s.limit && IsHex(s.s[q]) && q - start < 3) value = value * 16 + HexValue(s.s[q++]);
    if (q - start > 2) return false;
    p = q;
    return true;
  }
  const size_t start = p;
  while (p < s.limit && IsDigit(s.s[p]) && p - start < 4) value = value * 10 + (s.s[p++] - '0');
  return p > start && p - start <= 3 && value <= 255;
}

// Ipv4End() is the end of an IPv4 address at `from`, or 0: four parts, not part of a longer dotted
// number (a five-part version, an OID) nor of a longer word. `octets` receives the parts' values.
size_t Ipv4End(const Scan& s, size_t from, int (&octets)[4]) {
  size_t p = from;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (s.At(p) != '.') return 0;
      ++p;
    }
    if (!ReadOctet(s, p, octets[part])) return 0;
  }
  if (s.Glued(p) || s.Continues(p, ".")) return 0;
  return p;
}

size_t Ipv4End(const Scan& s, size_t from) {
  int octets[4];
  return Ipv4End(s, from, octets);
}

// NamesNoOne() is true for an address that is no machine's own: loopback (127.x.x.x; Debian maps
// the machine's name to 127.0.1.1), "any" (0.0.0.0 in "listening on 0.0.0.0:8080"), and a network
// written with its prefix length and no host bits (10.0.0.0/8, 172.16.0.0/12). A maintainer needs
// them to read a bind error or a route; a host's own address with its mask (192.168.1.23/24) goes.
bool NamesNoOne(const Scan& s, const int (&octets)[4], size_t end) {
  if (octets[0] == 127 || (octets[0] | octets[1] | octets[2] | octets[3]) == 0) return true;
  if (s.At(end) != '/') return false;
  size_t p = end + 1;
  int length = 0;
  while (p < s.limit && IsDigit(s.s[p]) && p - end <= 2) length = length * 10 + (s.s[p++] - '0');
  if (p == end + 1 || p - end > 3 || length < 1 || length > 30) return false;
  // The length ends the network: where it runs on (8::1, 24/~x, 8.8.8.8), a first pass may replace
  // what follows, and a second pass would read the address again without its network.
  const char next = s.At(p);
  const bool sentence_end = next == '.' && (s.At(p + 1) == '\0' || IsSpace(s.At(p + 1)));
  const bool ends = next == '\0' || IsSpace(next) || next == ',' || next == ';' || next == ')' || next == ']' ||
                    next == '}' || next == '"' || next == '\'' || sentence_end;
  if (!ends) return false;
  const uint32_t address = static_cast<uint32_t>(octets[0]) << 24 | static_cast<uint32_t>(octets[1]) << 16 |
                           static_cast<uint32_t>(octets[2]) << 8 | static_cast<uint32_t>(octets[3]);
  return (address & ((uint32_t{1} << (32 - length)) - 1)) == 0;
}

// AfterProductToken() is true when what was written ends with a product token and its '/', as a
// User-Agent writes a version (Chrome/120.0.0.0, Edg/120.0.0.0): a word of token characters that
// starts with a letter and stands alone, not a URL's or a path's segment (http://10.0.0.5/,
// x/10.0.0.5). It reads what was written, so a second pass sees what the first did.
bool AfterProductToken(std::string_view written) {
  constexpr size_t kLongestToken = 32;
  if (written.size() < 2 || written.back() != '/') return false;
  size_t start = written.size() - 1;
  while (start > 0 && written.size() - 1 - start <= kLongestToken && IsTokenChar(written[start - 1])) --start;
  const size_t length = written.size() - 1 - start;
  if (length == 0 || length > kLongestToken || !IsAlpha(written[start])) return false;
  if (start == 0) return true;
  const char before = written[start - 1];
  return IsSpace(before) || before == '(' || before == '"' || before == '\'' || before == '[' || before == ',' ||
         before == ';' || before == '=';
}

// Ipv6End() is the end of an IPv6 address at `from`, or 0.
size_t Ipv6End(const Scan& s, size_t from) {
  size_t p = from;
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
    if (length > 4) return 0;
    if (length > 0) ++groups;
    if (s.At(p) == '.' && groups > 0 && colons >= 2) {
      // An IPv4 tail (::ffff:10.0.0.1): its digits are the last group.
      const size_t tail = Ipv4End(s, start);
      if (tail == 0) return 0;
      p = tail;
      digit = true;
      break;
    }
    if (s.At(p) != ':') break;
    ++colons;
    ++p;
    if (s.At(p) == ':') {
      if (compressed) return 0;
      compressed = true;
      ++colons;
      ++p;
    }
  }
  // Glued to a word (or to what a first pass replaced) where it ends, it is not an address.
  if (s.Glued(p)) return 0;
  while (p > from && s.s[p - 1] == ':' && !(p >= from + 2 && s.s[p - 2] == ':')) --p;  // a trailing ':' is text
  if (colons < 2 || !digit) return 0;
  if (compressed ? groups > 7 : groups != 8) return 0;
  // A zone names the interface: fe80::1%eth0.
  if (s.At(p) == '%' && IsAlnum(s.At(p + 1))) {
    size_t zone = p + 1;
    while (zone < s.limit && zone < p + 33 && (IsTokenChar(s.s[zone]) || s.s[zone] == '.')) ++zone;
    p = zone;
  }
  return p;
}

// ---- host names -----------------------------------------------------------------------------

// Suffixes only a home or local network resolves: mDNS (.local), home routers (a FRITZ!Box's
// .fritz.box), RFC 8375.
constexpr std::string_view kLocalSuffixes[] = {".local", ".localdomain", ".lan", ".home", ".home.arpa", ".fritz.box"};
// Model names machines take after their owner: "Janes-MacBook-Pro", "jane-ThinkPad-X1-Carbon".
constexpr std::string_view kDeviceWords[] = {"macbook", "macbookpro", "macbookair", "mbp", "imac", "iphone", "ipad",
                                             "thinkpad"};
// Models Ubuntu's installer names a machine after, <user>-<product> as the firmware spells it
// (alice-VirtualBox, alice-XPS-15-9570, alice-HP-Pavilion). In lower case they name tools as often
// (vagrant-virtualbox), so a capital is asked for, and an owner before them.
constexpr std::string_view kModelWords[] = {"virtualbox", "vmware",  "xps",      "inspiron",  "latitude",
                                            "optiplex",   "thinkcentre", "ideapad", "zenbook", "vivobook",
                                            "pavilion",   "elitebook",   "probook"};
constexpr std::string_view kBrands[] = {"dell", "lenovo", "hp", "asus", "acer", "apple", "microsoft", "msi", "samsung",
                                        "huawei", "razer"};
// What follows an Apple model before "de Jane" (macOS in French, Spanish, Portuguese, Italian, Dutch).
constexpr std::string_view kQualifiers[] = {"pro", "air", "mini", "max", "studio", "ultra", "plus", "se"};
constexpr std::string_view kOf[] = {"de", "di", "da", "do", "du", "des", "del", "della", "dos", "das", "van", "von"};
// Words before -pc, -laptop, -desktop that name a product, a platform or a layout, not an owner
// (electron-desktop, claude-desktop, ibm-pc, nav-desktop).
constexpr std::string_view kNotOwners[] = {
    "my", "your", "our", "the", "this", "new", "old", "home", "work", "office", "gaming", "game", "main", "test", "dev",
    "prod", "demo", "sample", "example", "default", "generic", "shared", "public", "local", "remote", "virtual",
    "personal", "standard", "cross", "build", "power", "pocket", "tablet", "mobile", "web", "app", "apps", "nav",
    "menu", "header", "footer", "sidebar", "hero", "banner", "logo", "layout", "view", "mode", "theme", "hidden",
    "hide", "show", "only", "visible", "min", "max", "not", "non", "for", "ibm", "nec", "sony", "toshiba", "fujitsu",
    "google", "electron", "claude", "chatgpt", "github", "gitlab", "docker", "podman", "rancher", "signal", "slack",
    "teams", "zoom", "discord", "telegram", "whatsapp", "element", "spotify", "notion", "obsidian", "figma",
    "postman", "vscode", "code", "cursor", "tauri", "qt", "gtk", "flutter", "react", "native", "linux", "windows",
    "win", "mac", "macos", "ubuntu", "debian", "fedora", "gnome", "kde", "xfce", "lxde", "lxqt", "mate", "cinnamon",
    "budgie", "plasma", "moblin", "unity", "pantheon", "deepin", "elementary", "sugar", "lumina", "trinity", "cosmic",
    "wayland", "xfce4", "xdg", "freedesktop", "chrome", "firefox", "brave", "opera", "vivaldi", "edge", "anydesk",
    "teamviewer", "rustdesk", "ollama"};

bool IsDeviceWord(std::string_view word, std::string_view next) {
  if (IsOneOf(word, kDeviceWords)) return true;
  return EqualsIgnoreCase(word, "mac") &&
         (EqualsIgnoreCase(next, "mini") || EqualsIgnoreCase(next, "studio") || EqualsIgnoreCase(next, "pro"));
}

bool HasUpper(std::string_view word) {
  for (char c : word) {
    if (IsUpper(c)) return true;
  }
  return false;
}

bool AllDigits(std::string_view word) {
  for (char c : word) {
    if (!IsDigit(c)) return false;
  }
  return !word.empty();
}

// A user's name as the first word of a machine's name: letters and digits, from a letter.
bool IsOwnerWord(std::string_view word, bool letters_only) {
  if (word.empty() || word.size() > 32 || !IsAlpha(word[0])) return false;
  for (char c : word) {
    if (!(letters_only ? IsAlpha(c) : IsAlnum(c))) return false;
  }
  return !IsOneOf(word, kBrands);
}

// IsModel() is true when a model word is the model, as the firmware names it: the English words
// need what comes with them (Latitude-7490, HP-Pavilion, VMware-Virtual-Platform), not
// X-Geo-Latitude or Install-VMware-Tools.
bool IsModel(std::string_view word, std::string_view before, std::string_view after) {
  if (EqualsIgnoreCase(word, "latitude")) return after.find_first_of("0123456789") != std::string_view::npos;
  if (EqualsIgnoreCase(word, "pavilion")) return EqualsIgnoreCase(before, "hp");
  if (EqualsIgnoreCase(word, "vmware")) return EqualsIgnoreCase(after, "virtual");
  return true;
}

// IsDeviceLabel() is true when the first label of a host name is a personal machine's default name:
// an owner and a model, in either order.
bool IsDeviceLabel(std::string_view name) {
  const std::string_view label = name.substr(0, name.find('.'));
  constexpr size_t kMostWords = 16;
  std::string_view words[kMostWords];
  size_t count = 0;
  for (size_t start = 0; count < kMostWords;) {
    const size_t end = label.find('-', start);
    words[count++] = label.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  if (count < 2) return false;
  // An owner's name, then a model: only from the second word on.
  for (size_t k = 1; k < count; ++k) {
    if (IsDeviceWord(words[k], k + 1 < count ? words[k + 1] : std::string_view())) return true;
    if (IsOneOf(words[k], kModelWords) && HasUpper(words[k]) && IsOwnerWord(words[0], false) &&
        IsModel(words[k], words[k - 1], k + 1 < count ? words[k + 1] : std::string_view())) {
      return true;
    }
  }
  // The model, then its owner: MacBook-Pro-de-Jane, Mac-mini-de-Marco.
  if (IsDeviceWord(words[0], words[1])) {
    for (size_t k = 1; k + 1 < count; ++k) {
      if (IsOneOf(words[k], kOf)) return !words[k + 1].empty() && (IsAlpha(words[k + 1][0]) || IsHigh(words[k + 1][0]));
      if (!IsOneOf(words[k], kQualifiers) && !AllDigits(words[k])) break;
    }
  }
  // Windows 7's <User>-PC (in capitals: install-pc, trace-pc are make targets and options), Ubuntu's
  // older <user>-desktop and <user>-laptop: the name alone, with no dot after it (hero-desktop.jpg
  // is a file).
  static constexpr std::string_view kKinds[] = {"laptop", "desktop"};
  const bool kind = words[1] == "PC" || IsOneOf(words[1], kKinds);
  return count == 2 && label.size() == name.size() && kind && words[0].size() >= 2 && words[0].size() <= 20 &&
         IsOwnerWord(words[0], true) && !IsOneOf(words[0], kNotOwners);
}

// WindowsName() is true when a name Windows gave a new machine starts at `at`: DESKTOP- or LAPTOP-
// and 7 or 8 random capitals and digits, WIN- and 11 on Windows Server; lower-cased as DNS may
// write them. The random part holds a digit, unless the name is written as Windows writes it and
// starts the run (DESKTOP-QWERTYU; a word glued before, as in x-DESKTOP-REFRESH, asks for more).
bool WindowsName(std::string_view name, size_t at) {
  struct Shape {
    std::string_view prefix;
    size_t shortest, longest;
  };
  static constexpr Shape kShapes[] = {{"desktop-", 7, 8}, {"laptop-", 7, 8}, {"win-", 11, 11}};
  for (const Shape& shape : kShapes) {
    if (!StartsWithIgnoreCase(name, at, shape.prefix)) continue;
    const size_t from = at + shape.prefix.size();
    size_t p = from;
    size_t upper = 0, lower = 0, digits = 0;
    while (p < name.size() && p - from <= shape.longest && IsAlnum(name[p])) {
      upper += IsUpper(name[p]);
      lower += IsLower(name[p]);
      digits += IsDigit(name[p]);
      ++p;
    }
    if (p - from < shape.shortest || p - from > shape.longest || (p < name.size() && name[p] != '.')) continue;
    if (upper > 0 && lower > 0) continue;  // one case, as generated
    bool as_written = at == 0 && lower == 0 && shape.prefix != "win-";
    for (size_t k = at; k < from; ++k) as_written = as_written && !IsLower(name[k]);
    if (digits > 0 || as_written) return true;
  }
  return false;
}

// AwsIpEnd() is where an EC2 machine's name, its private address as ip-10-0-0-5, ends when it
// starts at `at`, or npos. (192-168-1-1 without "ip-" could as well be a date or a range.)
size_t AwsIpEnd(std::string_view name, size_t at) {
  if (!StartsWithIgnoreCase(name, at, "ip-")) return std::string_view::npos;
  size_t p = at + 3;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p >= name.size() || name[p] != '-') return std::string_view::npos;
      ++p;
    }
    const size_t start = p;
    int value = 0;
    while (p < name.size() && IsDigit(name[p]) && p - start < 4) value = value * 10 + (name[p++] - '0');
    if (p == start || p - start > 3 || value > 255) return std::string_view::npos;
  }
  return p == name.size() || name[p] == '.' ? p : std::string_view::npos;
}

// Where a personal machine's name is found in a run of host characters, and what replaces it.
struct PersonalHost {
  size_t start = std::string_view::npos;
  size_t end = 0;
  std::string_view placeholder;
};

// FindPersonalHost() finds a personal machine's name in a run of host characters: the whole run
// when it ends in a home network's suffix or starts with an owner and a model; else the first
// Windows default name or EC2 address name that starts the run or follows a '-' or '_' in it
// (1.0.0-DESKTOP-7QK2M3P: a version glued before), to the end of the run (its domain too) or, for
// an address, to the end of the address (ip-10-0-0-5.ec2.internal keeps its domain). Each candidate
// is read a bounded number of bytes, so the run is read in linear time.
PersonalHost FindPersonalHost(std::string_view name) {
  for (std::string_view suffix : kLocalSuffixes) {
    if (name.size() > suffix.size() && EndsWithIgnoreCase(name, suffix) && name[name.size() - suffix.size() - 1] != '.') {
      return {0, name.size(), kHost};
    }
  }
  if (IsDeviceLabel(name)) return {0, name.size(), kHost};
  for (size_t at = 0; at < name.size(); ++at) {
    if (at > 0 && name[at - 1] != '-' && name[at - 1] != '_') continue;
    if (WindowsName(name, at)) return {at, name.size(), kHost};
    if (const size_t end = AwsIpEnd(name, at); end != std::string_view::npos) return {at, end, kIp};
  }
  return {};
}

// The longest host name DNS allows: a longer run is no machine's name (and is not read further).
constexpr size_t kLongestHostName = 253;

bool IsPersonalHost(std::string_view name) {
  return name.size() <= kLongestHostName && FindPersonalHost(name).start != std::string_view::npos;
}

// ---- e-mail addresses -----------------------------------------------------------------------

// A domain without a dot is a machine on a network when it is named like one: with a '-', or with
// letters and digits (ssh alice@prod-db-01, admin@mailserver1, an SSH key's alice@work-pc). Not a
// package's tag or version (react@latest, actions/checkout@v4, pkg@rc-1, image@sha256:…), a Java
// object's hash (Object@7a81197d), a matrix product (x@W1); the user is a plain name, not a path's
// segment.
bool IsMachineAddress(const Scan& s, std::string_view local, std::string_view domain) {
  if (domain.size() < 4 || domain.size() > 63 || local.size() < 2 || local.size() > 32) return false;
  // The user is the whole word: not a path's or a repository's last segment at a tag
  // (org/repo@feature-x, docker/build-push-action@v5), nor the end of a dotted name.
  const char before = s.i > s.begin ? s.s[s.i - 1] : ' ';
  if (IsEmailLocal(before) && !IsEmailLocalPunct(before)) return false;
  if (before == '/' || before == '\\') return false;
  // A user's name starts with a letter (Perl's 1..@parts-1 is a range); a locale's modifier
  // (universal.utf8@ucs4) is no machine.
  if (!IsAlpha(local[0]) || local.back() == '.' || EndsWithIgnoreCase(local, ".utf8")) return false;
  for (char c : local) {
    if (!(IsAlnum(c) || c == '.' || c == '_' || c == '-')) return false;
  }
  if (!IsAlpha(domain[0]) || ((domain[0] == 'v' || domain[0] == 'V') && IsDigit(domain[1]))) return false;
  size_t letters = 0, digits = 0, dashes = 0, hex = 0;
  for (char c : domain) {
    letters += IsAlpha(c) || IsHigh(c);
    digits += IsDigit(c);
    dashes += c == '-';
    hex += IsHex(c);
  }
  if (dashes == 0 && (letters == 0 || digits == 0)) return false;
  if (hex == domain.size() && domain.size() >= 5) return false;
  const std::string_view first = domain.substr(0, domain.find('-'));
  static constexpr std::string_view kTags[] = {
      "latest", "next", "canary", "beta", "alpha", "rc", "dev", "nightly", "stable", "lts", "experimental",
      "insiders", "preview", "release", "snapshot", "pre", "main", "master", "head", "edge", "legacy", "current",
      "workspace", "npm", "file", "link", "git", "github", "patch", "local"};
  if (IsOneOf(first, kTags)) return false;
  // Digests and targets: sha256, md5, es2015.
  for (std::string_view prefix : {std::string_view("sha"), std::string_view("md"), std::string_view("es")}) {
    if (StartsWithIgnoreCase(first, 0, prefix) && AllDigits(first.substr(prefix.size()))) return false;
  }
  // A systemd unit's instance on a terminal: serial-getty@ttyS0.
  return !StartsWithIgnoreCase(first, 0, "tty");
}

// KeyBeforeAddress() is true when the local part's run at `from` starts with a key and its '='
// (user=alice@corp.com, a=1&email=alice@corp.com, SRS0=…=alice@…): the address starts after it, where
// the scan will find it (and a secret's key, password=p@ss…, is TryKeyValue()'s). A run that holds
// other punctuation before its '=' (a VERP address, bounces+alice=example.com@…) is one address.
// Reads at most 64 bytes.
bool KeyBeforeAddress(const Scan& s, size_t from, size_t local_end) {
  constexpr size_t kLongestKey = 64;
  for (size_t p = from; p < local_end && p < from + kLongestKey; ++p) {
    const char c = s.s[p];
    if (c == '=') return p > from;
    if (!(IsWord(c) || c == '.' || c == '-' || c == '&')) return false;
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
// domain may be localhost, an address literal (user@[10.0.0.1], user@[IPv6:2001:db8::1]) or a
// machine's name without a dot (alice@prod-db-01).
bool TryEmail(Scan& s) {
  const size_t local_end = s.End(s.t.local_end, s.i);
  if (local_end == s.i || s.At(local_end) != '@') return false;
  // Quotes and punctuation around an address are not part of it ('alice@example.com', {user}@…).
  if (IsEmailLocalPunct(s.s[s.i]) || IsEmailLocalPunct(s.s[local_end - 1])) return false;
  if (KeyBeforeAddress(s, s.i, local_end)) return false;
  const size_t domain_start = local_end + 1;
  if (s.At(domain_start) == '[') {
    size_t close = domain_start + 1;
    if (s.MatchesIgnoreCase(close, "ipv6:")) close += 5;
    const size_t literal = close;
    while (close < s.limit && close < literal + 48 && (IsHex(s.s[close]) || s.s[close] == ':' || s.s[close] == '.')) {
      ++close;
    }
    if (s.At(close) == ']' && close > literal + 1) return s.Emit(kEmail, close + 1);
    return false;
  }
  const Tables& counts = s.t.Counts();
  size_t domain_end = s.End(s.t.domain_end, domain_start);
  if (s.Glued(domain_end)) return false;  // the domain runs on into what a first pass replaced
  domain_end = counts.domain_trim[domain_end] > domain_start ? counts.domain_trim[domain_end] : domain_start;
  if (domain_end == domain_start) return false;
  const std::string_view domain = s.s.substr(domain_start, domain_end - domain_start);
  if (domain.size() == 9 && StartsWithIgnoreCase(domain, 0, "localhost")) return s.Emit(kEmail, domain_end);
  if (Ipv4End(s, domain_start) == domain_end) return s.Emit(kEmail, domain_end);
  // A user at a personal machine, as a shell prompt writes it: jane@jane-ThinkPad.
  if (IsPersonalHost(domain)) return s.Emit(kEmail, domain_end);
  const uint32_t dot = counts.last_dot[domain_end];
  if (dot == Tables::kNone || dot <= domain_start) {
    const std::string_view local = s.s.substr(s.i, local_end - s.i);
    return IsMachineAddress(s, local, domain) && s.Emit(kEmail, domain_end);
  }
  if (domain_end - dot < 3) return false;
  // A top-level domain is letters: ASCII, non-ASCII (IDN), or punycode (xn--).
  const size_t tld_length = domain_end - dot - 1;
  const uint32_t letters = counts.Letters(dot + 1, domain_end);
  const uint32_t high = Scan::Count(counts.high, dot + 1, domain_end);
  if (letters + high != tld_length && !StartsWithIgnoreCase(s.s, dot + 1, "xn--")) {
    // A word glued on after the address (alice@example.com-error, an event name): the address ends
    // where the letters of its top-level domain do.
    size_t cut = dot + 1;
    while (cut < domain_end && IsAlpha(s.s[cut])) ++cut;
    const bool glued = cut - dot - 1 >= 2 && cut < domain_end && (s.s[cut] == '-' || s.s[cut] == '_');
    return glued && s.Emit(kEmail, cut);
  }
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
  int octets[4];
  const size_t end = Ipv4End(s, s.i, octets);
  if (end == 0 || NamesNoOne(s, octets, end)) return false;
  // A browser's reduced version (Chrome/120.0.0.0) ends in 0, as no host's address does.
  if (octets[3] == 0 && AfterProductToken(written)) return false;
  return s.Emit(kIp, end);
}

bool TryGluedIpv4(Scan& s) {
  const char previous = s.s[s.i - 1];
  if (IsDigit(previous)) return false;
  // v1.2.3.4 is a version: a lone "v" before the number says so.
  if ((previous == 'v' || previous == 'V') && (s.i - 1 == s.begin || !IsWord(s.s[s.i - 2]))) return false;
  int octets[4];
  const size_t end = Ipv4End(s, s.i, octets);
  if (end != 0) return !NamesNoOne(s, octets, end) && s.Emit(kIp, end);
  // An IPv6 address after a name and '_' (ip_2001:db8::1), from a group of 3 or 4 digits as
  // addresses start (2001:, 2a02:): libc++'s std::__1::add is a name.
  if (previous != '_') return false;
  size_t group = s.i;
  while (group < s.limit && group < s.i + 4 && IsHex(s.s[group])) ++group;
  if (group - s.i < 3 || s.At(group) != ':') return false;
  const size_t v6 = Ipv6End(s, s.i);
  return v6 != 0 && s.Emit(kIp, v6);
}

// AfterLabel() is true when the ':' at `colon` ends a word that is no hex group (host:, adapter:,
// ip:): what follows it starts an address, not the middle of one.
bool AfterLabel(const Scan& s, size_t colon) {
  constexpr size_t kLongestLabel = 32;
  bool label = false;
  for (size_t k = colon; k > s.begin && IsWord(s.s[k - 1]) && colon - k < kLongestLabel; --k) {
    if (!IsHex(s.s[k - 1])) label = true;
  }
  return label;
}

bool TryIpv6(Scan& s) {
  if (s.i > s.begin && (IsWord(s.s[s.i - 1]) || (s.s[s.i - 1] == ':' && !AfterLabel(s, s.i - 1)))) return false;
  const size_t end = Ipv6End(s, s.i);
  return end != 0 && s.Emit(kIp, end);
}

// aa:bb:cc:dd:ee:ff and AA-BB-CC-DD-EE-FF (EUI-48), the same with eight groups (EUI-64), with '.' or
// '_' between groups (then with a letter among the digits: 10.20.30.40.50.60 is a number), with the
// leading zeros dropped as macOS writes them (0:1c:42:0:0:8: six groups, 8 digits or more), and
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
  const char separator = s.At(at + (IsHex(s.At(at + 1)) ? 2 : 1));
  if (separator == ':' || separator == '-' || separator == '.' || separator == '_') {
    size_t p = at;
    int groups = 0;
    size_t digits = 0;
    bool short_group = false, letter = false;
    for (;;) {
      size_t q = p;
      for (; q < s.limit && q - p < 3 && IsHex(s.s[q]); ++q) letter = letter || !IsDigit(s.s[q]);
      const size_t length = q - p;
      if (length == 0 || length > 2 || (length == 1 && separator != ':')) return false;
      short_group = short_group || length == 1;
      digits += length;
      ++groups;
      p = q;
      if (groups == 8 || s.At(p) != separator || !IsHex(s.At(p + 1))) break;
      ++p;
    }
    const bool continues = s.Glued(p) || s.Continues(p, std::string_view(&separator, 1), IsHex);
    bool mac = groups == 6 || groups == 8;
    if (separator == '.' || separator == '_') mac = groups == 6 && letter;
    if (short_group) mac = groups == 6 && digits >= 8;
    return mac && !continues && s.Emit(kMac, p);
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
  const PersonalHost found = FindPersonalHost(s.s.substr(s.i, end - s.i));
  if (found.start == std::string_view::npos) return false;
  // What is glued before the name (a version, a word) is scrubbed like text.
  const size_t run = s.i;
  if (found.start > 0) s.Range(run, run + found.start, s.in_url);
  return s.Emit(found.placeholder, run + found.end);
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
