// scrub-network.mjs: where a machine or a person can be reached: URLs, e-mail addresses, IP and MAC
// addresses, and the names personal machines give themselves (wasm/src/scrub/network.cpp).
import {
  EMAIL, HOST, IP, MAC, NONE, PATH, QUERY, SECRET, allDigits, count, endsWithIgnoreCase, equalsIgnoreCase, hexValue,
  isAlnum, isAlpha, isDigit, isEmailLocal, isEmailLocalPunct, isHex, isHigh, isHostChar, isLower, isPosixPathChar,
  isSpace, isTokenChar, isUpper, isWord, isOneOf, placeholderBefore, startsWithIgnoreCase,
} from './scrub-chars.mjs';
import { tryPath } from './scrub-paths.mjs';

// ---- URLs -----------------------------------------------------------------------------------

const endsUrl = (c) => isSpace(c) || c === '"' || c === "'" || c === '<' || c === '>' || c === '`';

// looksRandom() is true for a URL path segment that can only be a key: long, of token characters,
// with letters and digits that keep alternating. Slugs ("release-notes-2024"), UUIDs and commit
// hashes (40 or 64 lower-case hex) name things, not people, and stay.
function looksRandom(segment) {
  if (segment.length < 20) return false;
  let digits = 0;
  let letters = 0;
  let switches = 0;
  let hex = 0;
  let previous = -1; // 0 lower, 1 upper, 2 digit
  let uuid = segment.length === 36;
  for (let k = 0; k < segment.length; k++) {
    const c = segment[k];
    if (!isTokenChar(c)) return false;
    const dashPlace = k === 8 || k === 13 || k === 18 || k === 23;
    uuid &&= dashPlace ? c === '-' : isHex(c);
    if (isHex(c) && !isUpper(c)) hex++;
    const kind = isLower(c) ? 0 : isUpper(c) ? 1 : isDigit(c) ? 2 : -1;
    if (kind < 0) {
      previous = -1;
      continue;
    }
    if (kind === 2) digits++;
    else letters++;
    if (previous >= 0 && kind !== previous) switches++;
    previous = kind;
  }
  if (uuid || ((segment.length === 40 || segment.length === 64) && hex === segment.length)) return false;
  return digits > 0 && letters > 0 && switches * 4 >= segment.length;
}

// webhookSecretAt() is where the secret part of a webhook URL's path starts (Slack, Discord,
// Microsoft Teams, Zapier, IFTTT), or NONE: everything after it is the webhook's credential.
function webhookSecretAt(authority, path) {
  const colon = authority.indexOf(':');
  const host = colon === -1 ? authority : authority.slice(0, colon);
  const prefixAt = (prefixes) => {
    for (const prefix of prefixes) if (startsWithIgnoreCase(path, 0, prefix)) return prefix.length;
    return NONE;
  };
  if (equalsIgnoreCase(host, 'hooks.slack.com')) {
    const at = prefixAt(['/services/', '/workflows/', '/triggers/']);
    if (at !== NONE) return at;
  }
  const discord = equalsIgnoreCase(host, 'discord.com') || equalsIgnoreCase(host, 'discordapp.com') ||
    endsWithIgnoreCase(host, '.discord.com');
  // /api/webhooks/… or /api/v10/webhooks/…: read exactly, since a longer segment in its place may
  // become <secret> itself, and a second pass must find what the first did.
  if (discord && startsWithIgnoreCase(path, 0, '/api/')) {
    let at = 5;
    if (path[at] === 'v' || path[at] === 'V') {
      let end = at + 1;
      while (end < path.length && end - at <= 3 && isDigit(path[end])) end++;
      if (end > at + 1 && end < path.length && path[end] === '/') at = end + 1;
    }
    if (startsWithIgnoreCase(path, at, 'webhooks/')) return at + 9;
  }
  if (endsWithIgnoreCase(host, '.webhook.office.com') || equalsIgnoreCase(host, 'outlook.office.com')) {
    const at = prefixAt(['/webhookb2/', '/webhook/']);
    if (at !== NONE) return at;
  }
  if (equalsIgnoreCase(host, 'hooks.zapier.com') && startsWithIgnoreCase(path, 0, '/hooks/catch/')) return 13;
  // IFTTT's Webhooks: /trigger/<event>/with/key/<key>, /trigger/<event>/json/with/key/<key>, /use/<key>.
  if (equalsIgnoreCase(host, 'maker.ifttt.com')) {
    if (startsWithIgnoreCase(path, 0, '/use/')) return 5;
    const at = path.indexOf('/with/key/');
    if (startsWithIgnoreCase(path, 0, '/trigger/') && at !== -1) return at + 10;
  }
  return NONE;
}

// A Telegram bot's token in the Bot API's path: /bot<id>:<key>/getMe, /file/bot<id>:<key>/….
function isTelegramBotSegment(segment) {
  if (!startsWithIgnoreCase(segment, 0, 'bot')) return false;
  let p = 3;
  while (p < segment.length && isDigit(segment[p])) p++;
  if (p < 3 + 5 || p > 3 + 12 || p >= segment.length || segment[p] !== ':') return false;
  const key = segment.slice(p + 1);
  for (const c of key) if (!isTokenChar(c)) return false;
  return key.length >= 30;
}

// The key of a self-hosted webhook (Mattermost, Rocket.Chat, Gitea's /hooks/<key>): a segment of
// 16 or more token characters, letters and digits both, right after hooks/, webhook/ or webhooks/.
// GitHub's and GitLab's numeric hook ids and a slug ("stripe-payment-events") stay.
function isHookKey(previous, segment) {
  if (!isOneOf(previous, ['hooks', 'webhook', 'webhooks']) || segment.length < 16) return false;
  let letter = false;
  let digit = false;
  for (const c of segment) {
    if (!isTokenChar(c)) return false;
    letter ||= isAlpha(c);
    digit ||= isDigit(c);
  }
  return letter && digit;
}

const ROUTES = [
  'index', 'about', 'default', 'main', 'dashboard', 'details', 'edit', 'create', 'delete', 'list', 'new', 'show',
  'profile', 'settings', 'login', 'logout', 'register', 'search', 'me', 'self', 'current', 'page', 'feed', 'news',
  'contact',
];

// A home folder in a URL's path (sftp://host/home/jdoe/…, Jupyter's /tree/home/jdoe/…,
// vscode-remote://…/home/jdoe/…): the name after home/ or Users/ (cased as the systems write
// them) is a user's. Not a page (a last segment with a dot: /home/index.html) nor a site's own
// route under /home/ or an MVC app's /Users/Edit/42.
function isUserFolder(folder, name, last) {
  if (folder !== 'home' && folder !== 'Users') return false;
  if (name === '' || name.length > 64 || !(isAlpha(name[0]) || isHigh(name[0]))) return false;
  for (const c of name) if (!isPosixPathChar(c)) return false;
  if (last && name.includes('.')) return false;
  return !isOneOf(name, ROUTES);
}

// scrubUrlPath() writes a URL's path: a webhook's secret part, a bot's token, or any segment that
// looks like a key, becomes <secret>; from a home folder on it is <path>; the rest is scrubbed like
// text (addresses, e-mails, tokens).
function scrubUrlPath(s, host, from, to) {
  const secret = webhookSecretAt(host, s.s.slice(from, to));
  if (secret !== NONE && from + secret < to) {
    s.append(s.s.slice(from, from + secret) + SECRET);
    return;
  }
  let previous = '';
  for (let segment = from; segment < to;) {
    let end = segment;
    while (end < to && s.s[end] !== '/') end++;
    const text = s.s.slice(segment, end);
    if (end < to) {
      let nameEnd = end + 1;
      while (nameEnd < to && s.s[nameEnd] !== '/') nameEnd++;
      if (isUserFolder(text, s.s.slice(end + 1, nameEnd), nameEnd === to)) {
        s.append(PATH);
        return;
      }
    }
    if (isHookKey(previous, text)) {
      s.append(SECRET);
      return;
    }
    if (looksRandom(text) || isTelegramBotSegment(text)) {
      s.append(SECRET);
    } else {
      s.range(segment, end, true);
    }
    if (end < to) s.append('/');
    previous = text;
    segment = end + 1;
  }
}

// ---- IP addresses ---------------------------------------------------------------------------

// readOctet() reads one part of an IPv4 address at p: 1-3 decimal digits (leading zeros too, as
// inet_aton and many logs write them) or 0x and 1-2 hex digits, with a value up to 255. It returns
// the part's end and value, or null.
function readOctet(s, p) {
  let value = 0;
  if (s.at(p) === '0' && (s.at(p + 1) === 'x' || s.at(p + 1) === 'X') && isHex(s.at(p + 2))) {
    const start = p + 2;
    let q = start;
    while (q < s.limit && isHex(s.s[q]) && q - start < 3) value = value * 16 + hexValue(s.s[q++]);
    return q - start > 2 ? null : { end: q, value };
  }
  const start = p;
  while (p < s.limit && isDigit(s.s[p]) && p - start < 4) value = value * 10 + (s.s.charCodeAt(p++) - 48);
  return p > start && p - start <= 3 && value <= 255 ? { end: p, value } : null;
}

// ipv4At() is the IPv4 address at `from` as its end and its parts' values, or null: four parts,
// not part of a longer dotted number (a five-part version, an OID) nor of a longer word.
function ipv4At(s, from) {
  let p = from;
  const octets = [];
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (s.at(p) !== '.') return null;
      p++;
    }
    const octet = readOctet(s, p);
    if (octet === null) return null;
    octets.push(octet.value);
    p = octet.end;
  }
  if (s.glued(p) || s.continues(p, '.')) return null;
  return { end: p, octets };
}

const ipv4End = (s, from) => ipv4At(s, from)?.end ?? 0;

// namesNoOne() is true for an address that is no machine's own: loopback (127.x.x.x; Debian maps
// the machine's name to 127.0.1.1), "any" (0.0.0.0 in "listening on 0.0.0.0:8080"), and a network
// written with its prefix length and no host bits (10.0.0.0/8, 172.16.0.0/12). A maintainer needs
// them to read a bind error or a route; a host's own address with its mask (192.168.1.23/24) goes.
function namesNoOne(s, octets, end) {
  if (octets[0] === 127 || (octets[0] | octets[1] | octets[2] | octets[3]) === 0) return true;
  if (s.at(end) !== '/') return false;
  let p = end + 1;
  let length = 0;
  while (p < s.limit && isDigit(s.s[p]) && p - end <= 2) length = length * 10 + (s.s.charCodeAt(p++) - 48);
  if (p === end + 1 || p - end > 3 || length < 1 || length > 30) return false;
  // The length ends the network: where it runs on (8::1, 24/~x, 8.8.8.8), a first pass may replace
  // what follows, and a second pass would read the address again without its network.
  const next = s.at(p);
  const sentenceEnd = next === '.' && (s.at(p + 1) === '\0' || isSpace(s.at(p + 1)));
  const ends = next === '\0' || isSpace(next) || ',;)]}"\''.includes(next) || sentenceEnd;
  if (!ends) return false;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  return address % 2 ** (32 - length) === 0;
}

// afterProductToken() is true when what was written ends with a product token and its '/', as a
// User-Agent writes a version (Chrome/120.0.0.0, Edg/120.0.0.0): a word of token characters that
// starts with a letter and stands alone, not a URL's or a path's segment (http://10.0.0.5/,
// x/10.0.0.5). It reads what was written, so a second pass sees what the first did.
function afterProductToken(written) {
  const LONGEST_TOKEN = 32;
  if (written.length < 2 || written.at(-1) !== '/') return false;
  let start = written.length - 1;
  while (start > 0 && written.length - 1 - start <= LONGEST_TOKEN && isTokenChar(written[start - 1])) start--;
  const length = written.length - 1 - start;
  if (length === 0 || length > LONGEST_TOKEN || !isAlpha(written[start])) return false;
  if (start === 0) return true;
  const before = written[start - 1];
  return isSpace(before) || '("\'[,;='.includes(before);
}

// ipv6End() is the end of an IPv6 address at `from`, or 0.
function ipv6End(s, from) {
  let p = from;
  let groups = 0;
  let colons = 0;
  let compressed = false;
  let digit = false;
  while (p < s.limit && groups <= 8 && colons <= 8) {
    const start = p;
    while (p < s.limit && isHex(s.s[p]) && p - start < 5) {
      digit ||= isDigit(s.s[p]);
      p++;
    }
    const length = p - start;
    if (length > 4) return 0;
    if (length > 0) groups++;
    if (s.at(p) === '.' && groups > 0 && colons >= 2) {
      // An IPv4 tail (::ffff:10.0.0.1): its digits are the last group.
      const tail = ipv4End(s, start);
      if (tail === 0) return 0;
      p = tail;
      digit = true;
      break;
    }
    if (s.at(p) !== ':') break;
    colons++;
    p++;
    if (s.at(p) === ':') {
      if (compressed) return 0;
      compressed = true;
      colons++;
      p++;
    }
  }
  // Glued to a word (or to what a first pass replaced) where it ends, it is not an address.
  if (s.glued(p)) return 0;
  while (p > from && s.s[p - 1] === ':' && !(p >= from + 2 && s.s[p - 2] === ':')) p--; // a trailing ':' is text
  if (colons < 2 || !digit) return 0;
  if (compressed ? groups > 7 : groups !== 8) return 0;
  // A zone names the interface: fe80::1%eth0.
  if (s.at(p) === '%' && isAlnum(s.at(p + 1))) {
    let zone = p + 1;
    while (zone < s.limit && zone < p + 33 && (isTokenChar(s.s[zone]) || s.s[zone] === '.')) zone++;
    p = zone;
  }
  return p;
}

// ---- host names -----------------------------------------------------------------------------

// Suffixes only a home or local network resolves: mDNS (.local), home routers (a FRITZ!Box's
// .fritz.box), RFC 8375.
const LOCAL_SUFFIXES = ['.local', '.localdomain', '.lan', '.home', '.home.arpa', '.fritz.box'];
// Model names machines take after their owner: "Janes-MacBook-Pro", "jane-ThinkPad-X1-Carbon".
const DEVICE_WORDS = ['macbook', 'macbookpro', 'macbookair', 'mbp', 'imac', 'iphone', 'ipad', 'thinkpad'];
// Models Ubuntu's installer names a machine after, <user>-<product> as the firmware spells it
// (alice-VirtualBox, alice-XPS-15-9570, alice-HP-Pavilion). In lower case they name tools as often
// (vagrant-virtualbox), so a capital is asked for, and an owner before them.
const MODEL_WORDS = [
  'virtualbox', 'vmware', 'xps', 'inspiron', 'latitude', 'optiplex', 'thinkcentre', 'ideapad', 'zenbook', 'vivobook',
  'pavilion', 'elitebook', 'probook',
];
const BRANDS = ['dell', 'lenovo', 'hp', 'asus', 'acer', 'apple', 'microsoft', 'msi', 'samsung', 'huawei', 'razer'];
// What follows an Apple model before "de Jane" (macOS in French, Spanish, Portuguese, Italian, Dutch).
const QUALIFIERS = ['pro', 'air', 'mini', 'max', 'studio', 'ultra', 'plus', 'se'];
const OF = ['de', 'di', 'da', 'do', 'du', 'des', 'del', 'della', 'dos', 'das', 'van', 'von'];
// Words before -pc, -laptop, -desktop that name a product, a platform or a layout, not an owner
// (electron-desktop, claude-desktop, ibm-pc, nav-desktop).
const NOT_OWNERS = [
  'my', 'your', 'our', 'the', 'this', 'new', 'old', 'home', 'work', 'office', 'gaming', 'game', 'main', 'test', 'dev',
  'prod', 'demo', 'sample', 'example', 'default', 'generic', 'shared', 'public', 'local', 'remote', 'virtual',
  'personal', 'standard', 'cross', 'build', 'power', 'pocket', 'tablet', 'mobile', 'web', 'app', 'apps', 'nav',
  'menu', 'header', 'footer', 'sidebar', 'hero', 'banner', 'logo', 'layout', 'view', 'mode', 'theme', 'hidden',
  'hide', 'show', 'only', 'visible', 'min', 'max', 'not', 'non', 'for', 'ibm', 'nec', 'sony', 'toshiba', 'fujitsu',
  'google', 'electron', 'claude', 'chatgpt', 'github', 'gitlab', 'docker', 'podman', 'rancher', 'signal', 'slack',
  'teams', 'zoom', 'discord', 'telegram', 'whatsapp', 'element', 'spotify', 'notion', 'obsidian', 'figma',
  'postman', 'vscode', 'code', 'cursor', 'tauri', 'qt', 'gtk', 'flutter', 'react', 'native', 'linux', 'windows',
  'win', 'mac', 'macos', 'ubuntu', 'debian', 'fedora', 'gnome', 'kde', 'xfce', 'lxde', 'lxqt', 'mate', 'cinnamon',
  'budgie', 'plasma', 'moblin', 'unity', 'pantheon', 'deepin', 'elementary', 'sugar', 'lumina', 'trinity', 'cosmic',
  'wayland', 'xfce4', 'xdg', 'freedesktop', 'chrome', 'firefox', 'brave', 'opera', 'vivaldi', 'edge', 'anydesk',
  'teamviewer', 'rustdesk', 'ollama',
];

function isDeviceWord(word, next) {
  if (isOneOf(word, DEVICE_WORDS)) return true;
  return equalsIgnoreCase(word, 'mac') && isOneOf(next, ['mini', 'studio', 'pro']);
}

function hasUpper(word) {
  for (const c of word) if (isUpper(c)) return true;
  return false;
}

// A user's name as the first word of a machine's name: letters and digits, from a letter.
function isOwnerWord(word, lettersOnly) {
  if (word === '' || word.length > 32 || !isAlpha(word[0])) return false;
  for (const c of word) if (!(lettersOnly ? isAlpha(c) : isAlnum(c))) return false;
  return !isOneOf(word, BRANDS);
}

// isModel() is true when a model word is the model, as the firmware names it: the English words
// need what comes with them (Latitude-7490, HP-Pavilion, VMware-Virtual-Platform), not
// X-Geo-Latitude or Install-VMware-Tools.
function isModel(word, before, after) {
  if (equalsIgnoreCase(word, 'latitude')) {
    for (const c of after) if (isDigit(c)) return true;
    return false;
  }
  if (equalsIgnoreCase(word, 'pavilion')) return equalsIgnoreCase(before, 'hp');
  if (equalsIgnoreCase(word, 'vmware')) return equalsIgnoreCase(after, 'virtual');
  return true;
}

// isDeviceLabel() is true when the first label of a host name is a personal machine's default name:
// an owner and a model, in either order.
function isDeviceLabel(name) {
  const dot = name.indexOf('.');
  const label = dot === -1 ? name : name.slice(0, dot);
  const MOST_WORDS = 16;
  const words = [];
  for (let start = 0; words.length < MOST_WORDS;) {
    const end = label.indexOf('-', start);
    words.push(end === -1 ? label.slice(start) : label.slice(start, end));
    if (end === -1) break;
    start = end + 1;
  }
  const n = words.length;
  if (n < 2) return false;
  const after = (k) => (k + 1 < n ? words[k + 1] : '');
  // An owner's name, then a model: only from the second word on.
  for (let k = 1; k < n; k++) {
    if (isDeviceWord(words[k], after(k))) return true;
    if (isOneOf(words[k], MODEL_WORDS) && hasUpper(words[k]) && isOwnerWord(words[0], false) &&
        isModel(words[k], words[k - 1], after(k))) {
      return true;
    }
  }
  // The model, then its owner: MacBook-Pro-de-Jane, Mac-mini-de-Marco.
  if (isDeviceWord(words[0], words[1])) {
    for (let k = 1; k + 1 < n; k++) {
      if (isOneOf(words[k], OF)) return words[k + 1] !== '' && (isAlpha(words[k + 1][0]) || isHigh(words[k + 1][0]));
      if (!isOneOf(words[k], QUALIFIERS) && !allDigits(words[k])) break;
    }
  }
  // Windows 7's <User>-PC (in capitals: install-pc, trace-pc are make targets and options), Ubuntu's
  // older <user>-desktop and <user>-laptop: the name alone, with no dot after it (hero-desktop.jpg
  // is a file).
  const kind = words[1] === 'PC' || isOneOf(words[1], ['laptop', 'desktop']);
  return n === 2 && label.length === name.length && kind && words[0].length >= 2 && words[0].length <= 20 &&
    isOwnerWord(words[0], true) && !isOneOf(words[0], NOT_OWNERS);
}

// Names Windows gives a new machine: DESKTOP- or LAPTOP- and 7 or 8 random capitals and digits,
// WIN- and 11 on Windows Server.
const WINDOWS_SHAPES = [
  { prefix: 'desktop-', shortest: 7, longest: 8 }, { prefix: 'laptop-', shortest: 7, longest: 8 },
  { prefix: 'win-', shortest: 11, longest: 11 },
];

// windowsName() is true when a name Windows gave a new machine starts at `at`, lower-cased too as
// DNS may write it. The random part holds a digit, unless the name is written as Windows writes it
// and starts the run (DESKTOP-QWERTYU; a word glued before, as in x-DESKTOP-REFRESH, asks for more).
function windowsName(name, at) {
  for (const shape of WINDOWS_SHAPES) {
    if (!startsWithIgnoreCase(name, at, shape.prefix)) continue;
    const from = at + shape.prefix.length;
    let p = from;
    let upper = 0;
    let lower = 0;
    let digits = 0;
    while (p < name.length && p - from <= shape.longest && isAlnum(name[p])) {
      if (isUpper(name[p])) upper++;
      if (isLower(name[p])) lower++;
      if (isDigit(name[p])) digits++;
      p++;
    }
    if (p - from < shape.shortest || p - from > shape.longest || (p < name.length && name[p] !== '.')) continue;
    if (upper > 0 && lower > 0) continue; // one case, as generated
    let asWritten = at === 0 && lower === 0 && shape.prefix !== 'win-';
    for (let k = at; k < from; k++) asWritten &&= !isLower(name[k]);
    if (digits > 0 || asWritten) return true;
  }
  return false;
}

// awsIpEnd() is where an EC2 machine's name, its private address as ip-10-0-0-5, ends when it
// starts at `at`, or NONE. (192-168-1-1 without "ip-" could as well be a date or a range.)
function awsIpEnd(name, at) {
  if (!startsWithIgnoreCase(name, at, 'ip-')) return NONE;
  let p = at + 3;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (p >= name.length || name[p] !== '-') return NONE;
      p++;
    }
    const start = p;
    let value = 0;
    while (p < name.length && isDigit(name[p]) && p - start < 4) value = value * 10 + (name.charCodeAt(p++) - 48);
    if (p === start || p - start > 3 || value > 255) return NONE;
  }
  return p === name.length || name[p] === '.' ? p : NONE;
}

// findPersonalHost() finds a personal machine's name in a run of host characters, as where it
// starts and ends and what replaces it, or null: the whole run when it ends in a home network's
// suffix or starts with an owner and a model; else the first Windows default name or EC2 address
// name that starts the run or follows a '-' or '_' in it (1.0.0-DESKTOP-7QK2M3P: a version glued
// before), to the end of the run (its domain too) or, for an address, to the end of the address
// (ip-10-0-0-5.ec2.internal keeps its domain). Each candidate is read a bounded number of
// characters, so the run is read in linear time.
function findPersonalHost(name) {
  for (const suffix of LOCAL_SUFFIXES) {
    if (name.length > suffix.length && endsWithIgnoreCase(name, suffix) && name[name.length - suffix.length - 1] !== '.') {
      return { start: 0, end: name.length, placeholder: HOST };
    }
  }
  if (isDeviceLabel(name)) return { start: 0, end: name.length, placeholder: HOST };
  for (let at = 0; at < name.length; at++) {
    if (at > 0 && name[at - 1] !== '-' && name[at - 1] !== '_') continue;
    if (windowsName(name, at)) return { start: at, end: name.length, placeholder: HOST };
    const end = awsIpEnd(name, at);
    if (end !== NONE) return { start: at, end, placeholder: IP };
  }
  return null;
}

// The longest host name DNS allows: a longer run is no machine's name (and is not read further).
const LONGEST_HOST_NAME = 253;

const isPersonalHost = (name) => name.length <= LONGEST_HOST_NAME && findPersonalHost(name) !== null;

// ---- e-mail addresses -----------------------------------------------------------------------

// Tags and versions a package is asked for at (react@latest, pkg@rc-1).
const TAGS = [
  'latest', 'next', 'canary', 'beta', 'alpha', 'rc', 'dev', 'nightly', 'stable', 'lts', 'experimental', 'insiders',
  'preview', 'release', 'snapshot', 'pre', 'main', 'master', 'head', 'edge', 'legacy', 'current', 'workspace', 'npm',
  'file', 'link', 'git', 'github', 'patch', 'local',
];

// A domain without a dot is a machine on a network when it is named like one: with a '-', or with
// letters and digits (ssh alice@prod-db-01, admin@mailserver1, an SSH key's alice@work-pc). Not a
// package's tag or version (react@latest, actions/checkout@v4, pkg@rc-1, image@sha256:…), a Java
// object's hash (Object@7a81197d), a matrix product (x@W1); the user is a plain name, not a path's
// segment.
function isMachineAddress(s, local, domain) {
  if (domain.length < 4 || domain.length > 63 || local.length < 2 || local.length > 32) return false;
  // The user is the whole word: not a path's or a repository's last segment at a tag
  // (org/repo@feature-x, docker/build-push-action@v5), nor the end of a dotted name.
  const before = s.i > s.begin ? s.s[s.i - 1] : ' ';
  if (isEmailLocal(before) && !isEmailLocalPunct(before)) return false;
  if (before === '/' || before === '\\') return false;
  // A user's name starts with a letter (Perl's 1..@parts-1 is a range); a locale's modifier
  // (universal.utf8@ucs4) is no machine.
  if (!isAlpha(local[0]) || local.at(-1) === '.' || endsWithIgnoreCase(local, '.utf8')) return false;
  for (const c of local) if (!(isAlnum(c) || c === '.' || c === '_' || c === '-')) return false;
  if (!isAlpha(domain[0]) || ((domain[0] === 'v' || domain[0] === 'V') && isDigit(domain[1]))) return false;
  let letters = 0;
  let digits = 0;
  let dashes = 0;
  let hex = 0;
  for (const c of domain) {
    if (isAlpha(c) || isHigh(c)) letters++;
    if (isDigit(c)) digits++;
    if (c === '-') dashes++;
    if (isHex(c)) hex++;
  }
  if (dashes === 0 && (letters === 0 || digits === 0)) return false;
  if (hex === domain.length && domain.length >= 5) return false;
  const dash = domain.indexOf('-');
  const first = dash === -1 ? domain : domain.slice(0, dash);
  if (isOneOf(first, TAGS)) return false;
  // Digests and targets: sha256, md5, es2015.
  for (const prefix of ['sha', 'md', 'es']) {
    if (startsWithIgnoreCase(first, 0, prefix) && allDigits(first.slice(prefix.length))) return false;
  }
  // A systemd unit's instance on a terminal: serial-getty@ttyS0.
  return !startsWithIgnoreCase(first, 0, 'tty');
}

// keyBeforeAddress() is true when the local part's run at `from` starts with a key and its '='
// (user=alice@corp.com, a=1&email=alice@corp.com, SRS0=…=alice@…): the address starts after it,
// where the scan will find it (and a secret's key, password=p@ss…, is tryKeyValue()'s). A run that
// holds other punctuation before its '=' (a VERP address, bounces+alice=example.com@…) is one
// address. Reads at most 64 characters.
function keyBeforeAddress(s, from, localEnd) {
  const LONGEST_KEY = 64;
  for (let p = from; p < localEnd && p < from + LONGEST_KEY; p++) {
    const c = s.s[p];
    if (c === '=') return p > from;
    if (!(isWord(c) || c === '.' || c === '-' || c === '&')) return false;
  }
  return false;
}

// scheme://[credentials@]host[:port][/path][?query][#fragment]
export function tryUrl(s) {
  const p = s.end(s.t.schemeEnd, s.i);
  if (!s.matches(p, '://')) return false;
  const authority = p + 3;
  if (p - s.i === 4 && startsWithIgnoreCase(s.s, s.i, 'file')) {
    // file://[host]/home/alice/x.py is a path, whatever its scheme and host.
    let path = authority;
    while (path < s.limit && isPosixPathChar(s.s[path]) && s.s[path] !== '/') path++;
    s.copy(path);
    tryPath(s, true);
    return true;
  }
  let end = authority;
  while (end < s.limit) {
    const placeholder = s.s[end] === '<' ? s.placeholderLengthAt(end) : 0;
    if (placeholder === 0 && endsUrl(s.s[end])) break;
    end += placeholder > 0 ? placeholder : 1;
  }
  // A sentence's closing punctuation is not part of the URL.
  while (end > authority && '.,);'.includes(s.s[end - 1])) end--;
  let hostEnd = authority;
  while (hostEnd < end && s.s[hostEnd] !== '/' && s.s[hostEnd] !== '?' && s.s[hostEnd] !== '#') hostEnd++;
  s.copy(authority);
  let host = authority;
  for (let k = authority; k < hostEnd; k++) if (s.s[k] === '@') host = k + 1;
  if (host !== authority) s.append(`${SECRET}@`);
  let query = hostEnd;
  while (query < end && s.s[query] !== '?' && s.s[query] !== '#') query++;
  // The host (an address becomes <ip>, a personal machine <host>, a name stays) and the path.
  s.range(host, hostEnd, true);
  scrubUrlPath(s, s.s.slice(host, hostEnd), hostEnd, query);
  if (query < end) {
    // An empty query ("…/page#" before "<query>" left by a first pass) has nothing to replace.
    s.append(query + 1 < end ? s.s[query] + QUERY : s.s[query]);
  }
  s.i = end;
  return true;
}

// local@domain. The local part and the domain may hold non-ASCII letters (jörg@bücher.de); the
// domain may be localhost, an address literal (user@[10.0.0.1], user@[IPv6:2001:db8::1]) or a
// machine's name without a dot (alice@prod-db-01).
export function tryEmail(s) {
  const localEnd = s.end(s.t.localEnd, s.i);
  if (localEnd === s.i || s.at(localEnd) !== '@') return false;
  // Quotes and punctuation around an address are not part of it ('alice@example.com', {user}@…).
  if (isEmailLocalPunct(s.s[s.i]) || isEmailLocalPunct(s.s[localEnd - 1])) return false;
  if (keyBeforeAddress(s, s.i, localEnd)) return false;
  const domainStart = localEnd + 1;
  if (s.at(domainStart) === '[') {
    let close = domainStart + 1;
    if (s.matchesIgnoreCase(close, 'ipv6:')) close += 5;
    const literal = close;
    while (close < s.limit && close < literal + 48 && (isHex(s.s[close]) || s.s[close] === ':' || s.s[close] === '.')) close++;
    return s.at(close) === ']' && close > literal + 1 && s.emit(EMAIL, close + 1);
  }
  const counts = s.t.counts();
  let domainEnd = s.end(s.t.domainEnd, domainStart);
  if (s.glued(domainEnd)) return false; // the domain runs on into what a first pass replaced
  domainEnd = counts.domainTrim[domainEnd] > domainStart ? counts.domainTrim[domainEnd] : domainStart;
  if (domainEnd === domainStart) return false;
  const domain = s.s.slice(domainStart, domainEnd);
  if (domain.length === 9 && startsWithIgnoreCase(domain, 0, 'localhost')) return s.emit(EMAIL, domainEnd);
  if (ipv4End(s, domainStart) === domainEnd) return s.emit(EMAIL, domainEnd);
  // A user at a personal machine, as a shell prompt writes it: jane@jane-ThinkPad.
  if (isPersonalHost(domain)) return s.emit(EMAIL, domainEnd);
  const dot = counts.lastDot[domainEnd];
  if (dot === NONE || dot <= domainStart) {
    return isMachineAddress(s, s.s.slice(s.i, localEnd), domain) && s.emit(EMAIL, domainEnd);
  }
  if (domainEnd - dot < 3) return false;
  // A top-level domain is letters: ASCII, non-ASCII (IDN), or punycode (xn--).
  const tldLength = domainEnd - dot - 1;
  const letters = counts.letters(dot + 1, domainEnd) + count(counts.high, dot + 1, domainEnd);
  if (letters !== tldLength && !startsWithIgnoreCase(s.s, dot + 1, 'xn--')) {
    // A word glued on after the address (alice@example.com-error): it ends where its top-level
    // domain's letters do.
    let cut = dot + 1;
    while (cut < domainEnd && isAlpha(s.s[cut])) cut++;
    const glued = cut - dot - 1 >= 2 && cut < domainEnd && (s.s[cut] === '-' || s.s[cut] === '_');
    return glued && s.emit(EMAIL, cut);
  }
  // Image assets at 2x and 3x resolution (logo@2x.png) are file names.
  if (isDigit(s.at(domainStart)) &&
      (s.at(domainStart + 1) === 'x' || (isDigit(s.at(domainStart + 1)) && s.at(domainStart + 2) === 'x'))) {
    return false;
  }
  return s.emit(EMAIL, domainEnd);
}

export function tryIpv4(s) {
  if (s.i > s.begin && s.s[s.i - 1] === '.') return false;
  // .NET assembly identities write their version as four numbers: Version=4.0.0.0. The word is
  // read from what was written, so a second pass sees what the first did.
  // Enough for the longest word either check reads and the character before it.
  const written = s.writtenTail(40);
  if (written.length >= 8 && (endsWithIgnoreCase(written, 'version=') || endsWithIgnoreCase(written, 'version '))) return false;
  const address = ipv4At(s, s.i);
  if (address === null || namesNoOne(s, address.octets, address.end)) return false;
  // A browser's reduced version (Chrome/120.0.0.0) ends in 0, as no host's address does.
  if (address.octets[3] === 0 && afterProductToken(written)) return false;
  return s.emit(IP, address.end);
}

export function tryGluedIpv4(s) {
  const previous = s.s[s.i - 1];
  if (isDigit(previous)) return false;
  // v1.2.3.4 is a version: a lone "v" before the number says so.
  if ((previous === 'v' || previous === 'V') && (s.i - 1 === s.begin || !isWord(s.s[s.i - 2]))) return false;
  const address = ipv4At(s, s.i);
  if (address !== null) return !namesNoOne(s, address.octets, address.end) && s.emit(IP, address.end);
  // An IPv6 address after a name and '_' (ip_2001:db8::1), from a group of 3 or 4 digits as
  // addresses start (2001:, 2a02:): libc++'s std::__1::add is a name.
  if (previous !== '_') return false;
  let group = s.i;
  while (group < s.limit && group < s.i + 4 && isHex(s.s[group])) group++;
  if (group - s.i < 3 || s.at(group) !== ':') return false;
  const end = ipv6End(s, s.i);
  return end !== 0 && s.emit(IP, end);
}

// afterLabel() is true when the ':' at `colon` ends a word that is no hex group (host:, ip:).
function afterLabel(s, colon) {
  let label = false;
  for (let k = colon; k > s.begin && isWord(s.s[k - 1]) && colon - k < 32; k--) {
    if (!isHex(s.s[k - 1])) label = true;
  }
  return label;
}

export function tryIpv6(s) {
  if (s.i > s.begin && (isWord(s.s[s.i - 1]) || (s.s[s.i - 1] === ':' && !afterLabel(s, s.i - 1)))) return false;
  const end = ipv6End(s, s.i);
  return end !== 0 && s.emit(IP, end);
}

// aa:bb:cc:dd:ee:ff and AA-BB-CC-DD-EE-FF (EUI-48), the same with eight groups (EUI-64), with '.' or
// '_' between groups (then with a letter among the digits: 10.20.30.40.50.60 is a number), with the
// leading zeros dropped as macOS writes them (0:1c:42:0:0:8: six groups, 8 digits or more), and
// Cisco's aabb.ccdd.eeff.
export function tryMac(s) {
  const at = s.i;
  // Not the middle of a longer run of groups (a placeholder before stands for what was there).
  if (at >= s.begin + 2 && ':-.'.includes(s.s[at - 1]) &&
      (isHex(s.s[at - 2]) || (s.s[at - 2] === '>' && placeholderBefore(s.s, at - 1, s.begin)))) {
    return false;
  }
  const hexRun = (from, n) => {
    for (let k = 0; k < n; k++) if (!isHex(s.at(from + k))) return false;
    return true;
  };
  const separator = s.at(at + (isHex(s.at(at + 1)) ? 2 : 1));
  if (separator === ':' || separator === '-' || separator === '.' || separator === '_') {
    let p = at;
    let groups = 0;
    let digits = 0;
    let shortGroup = false;
    let letter = false;
    for (;;) {
      let q = p;
      for (; q < s.limit && q - p < 3 && isHex(s.s[q]); q++) letter ||= !isDigit(s.s[q]);
      const length = q - p;
      if (length === 0 || length > 2 || (length === 1 && separator !== ':')) return false;
      shortGroup ||= length === 1;
      digits += length;
      groups++;
      p = q;
      if (groups === 8 || s.at(p) !== separator || !isHex(s.at(p + 1))) break;
      p++;
    }
    const continues = s.glued(p) || s.continues(p, separator, isHex);
    let mac = groups === 6 || groups === 8;
    if (separator === '.' || separator === '_') mac = groups === 6 && letter;
    if (shortGroup) mac = groups === 6 && digits >= 8;
    return mac && !continues && s.emit(MAC, p);
  }
  if (hexRun(at, 4) && s.at(at + 4) === '.' && hexRun(at + 5, 4) && s.at(at + 9) === '.' && hexRun(at + 10, 4)) {
    const p = at + 14;
    const continues = s.glued(p) || s.continues(p, '.', isHex);
    return !continues && s.emit(MAC, p);
  }
  return false;
}

export function tryHostName(s) {
  // Tried only at the first character of a run, so each run is read once.
  if (!s.runStart(s.i, isHostChar)) return false;
  let end = s.i;
  let joined = false; // every shape below has a '.' or a '-'
  for (; end < s.limit && isHostChar(s.s[end]); end++) joined ||= s.s[end] === '.' || s.s[end] === '-';
  if (!joined || s.placeholderAt(end)) return false; // (or the name ran on into what a first pass replaced)
  while (end > s.i && (s.s[end - 1] === '.' || s.s[end - 1] === '-')) end--; // sentence punctuation
  const found = findPersonalHost(s.s.slice(s.i, end));
  if (found === null) return false;
  // What is glued before the name (a version, a word) is scrubbed like text.
  const run = s.i;
  if (found.start > 0) s.range(run, run + found.start, s.inUrl);
  return s.emit(found.placeholder, run + found.end);
}

const DEVICES = ['macbook pro', 'macbook air', 'macbook', 'imac', 'mac mini', 'mac studio', 'mac pro', 'iphone', 'ipad'];

// "Jane's MacBook Pro": macOS names a machine after its owner until they rename it.
export function tryDeviceName(s) {
  let p = s.end(s.t.tokenEnd, s.i);
  // An apostrophe, or the typographic one macOS writes (U+2019).
  if (s.at(p) !== "'" && s.at(p) !== '\u2019') return false;
  p++;
  if (!((s.at(p) === 's' || s.at(p) === 'S') && s.at(p + 1) === ' ')) return false;
  p += 2;
  for (const device of DEVICES) {
    if (s.matchesIgnoreCase(p, device) && !s.glued(p + device.length)) return s.emit(HOST, p + device.length);
  }
  return false;
}
