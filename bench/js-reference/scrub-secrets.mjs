// scrub-secrets.mjs: keys, tokens and credentials (wasm/src/scrub/secrets.cpp). Provider formats
// follow the public patterns of gitleaks and GitHub secret scanning; key names follow Sentry Relay's
// password rule.
import {
  SECRET, count, endsWithIgnoreCase, isAlpha, isBase64Char, isDigit, isHex, isHigh,
  isLower, isSpace, isTokenChar, isUpper, isWord, lowerAscii, lowerChar, startsWithIgnoreCase,
} from './scrub-chars.mjs';

// ---- private key blocks ----------------------------------------------------------------------

// blockEnd() is the end of a block opened at `from` and closed by `closing` then `tail` (the
// armour's dashes), or the end of the range when it never closes: a key cut short is still a key.
function blockEnd(s, from, closing, tail) {
  const text = s.s.slice(0, s.limit);
  const marker = text.indexOf(closing, from);
  if (marker === -1) return s.limit;
  // The armour closes on the END line itself; a line without it still ends the block.
  const newline = text.indexOf('\n', marker);
  const lineEnd = newline === -1 ? text.length : newline;
  const close = text.slice(0, lineEnd).indexOf(tail, marker + closing.length);
  return close === -1 ? lineEnd : close + tail.length;
}

export function tryPemBlock(s) {
  if (s.matches(s.i, '-----BEGIN')) return s.emit(SECRET, blockEnd(s, s.i + 10, '-----END', '-----'));
  if (s.matches(s.i, '---- BEGIN SSH2')) return s.emit(SECRET, blockEnd(s, s.i + 15, '---- END', '----'));
  if (s.matches(s.i, 'PuTTY-User-Key-File-')) {
    // A PuTTY key file ends with its Private-MAC line.
    const text = s.s.slice(0, s.limit);
    const mac = text.indexOf('Private-MAC:', s.i);
    const lineEnd = mac === -1 ? -1 : text.indexOf('\n', mac);
    return s.emit(SECRET, lineEnd === -1 ? s.limit : lineEnd);
  }
  return false;
}

// ---- key = value ------------------------------------------------------------------------------

// Names whose value is a secret: matched as the whole key, or as its last part after "_", "-" or a
// camelCase step ("accessToken", "clientSecret", "SharedAccessKey").
const SECRET_KEYS = [
  'password', 'passwd', 'pwd', 'pass', 'pw', 'passphrase', 'passcode', 'token', 'secret', 'api_key', 'apikey',
  'api-key', 'access_key', 'accesskey', 'access_token', 'refresh_token', 'id_token', 'auth', 'auth_token',
  'authorization', 'client_secret', 'private_key', 'privatekey', 'secret_key', 'session_token', 'x-api-key',
  'pgpassword', 'credential', 'credentials', 'creds', 'account_key', 'accountkey', 'cookie', 'otp',
  'sessionid', 'session_id', 'jsessionid', 'phpsessid', 'csrftoken', 'secret_key_base', 'pin', 'ssn',
];
// The secret names by their last letter, in order: a key is compared with the few that end as it does.
const SECRET_KEYS_BY_LAST = new Map();
for (const name of SECRET_KEYS) SECRET_KEYS_BY_LAST.set(name.at(-1), [...(SECRET_KEYS_BY_LAST.get(name.at(-1)) ?? []), name]);

// Tokenizer settings name a vocabulary entry, not a credential: bos_token, pad_token, eosToken,
// additional_special_token. The word before "token" says which.
const VOCABULARY_TOKENS = ['bos', 'eos', 'pad', 'unk', 'cls', 'sep', 'mask', 'special', 'image', 'audio', 'video', 'start', 'end'];

// Keys whose value runs to the end of the line: a header holds a scheme and a credential, or many
// cookies, and all of it goes.
const LINE_KEYS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie'];

// Words that say something about a secret rather than being one: "the token is invalid" and
// "password: required" keep their last word. An unquoted value is checked against them, whatever
// the form ("passwd: password updated successfully" is the passwd command's own message).
const NOT_SECRETS = new Set([
  'a', 'an', 'the', 'not', 'no', 'now', 'too', 'also', 'only', 'still', 'already', 'being', 'invalid',
  'incorrect', 'wrong', 'expired', 'missing', 'required', 'empty', 'null', 'none', 'nil', 'undefined', 'set',
  'unset', 'correct', 'valid', 'revoked', 'malformed', 'blank', 'disabled', 'enabled', 'ok', 'okay', 'present',
  'absent', 'weak', 'strong', 'needed', 'mandatory', 'optional', 'bad', 'good', 'stale', 'unknown', 'false',
  'true', 'incomplete', 'different', 'same', 'changed', 'reset', 'locked', 'used', 'shared', 'stored', 'saved',
  'hidden', 'visible', 'available', 'unavailable', 'supported', 'unsupported', 'deprecated', 'insecure',
  'secure', 'short', 'long', 'provided', 'given', 'configured', 'specified', 'defined', 'ignored', 'accepted',
  'rejected', 'denied', 'in', 'on', 'at', 'for', 'from', 'of', 'to', 'with', 'by', 'too_short', 'passed',
  'failed', 'n/a', 'password', 'passphrase', 'authentication', 'all', 'must', 'should', 'cannot', "can't",
  'is', 'was', 'has', 'does', 'did', 'will', 'needs', 'contains', 'mismatch',
]);

// Words that may begin a passphrase though they say something about a password when alone:
// "Password: correct" is a verdict, "Password: correct horse battery staple" a passphrase.
const PHRASE_STARTS = new Set([
  'a', 'an', 'the', 'correct', 'good', 'bad', 'strong', 'weak', 'long', 'short', 'same', 'different', 'secure',
  'hidden', 'in', 'on', 'at', 'for', 'from', 'of', 'to', 'with', 'by',
]);

// Authorization schemes a credential may follow.
const AUTH_SCHEMES = ['bearer ', 'basic ', 'token '];

// secretName() is the entry of SECRET_KEYS that `key` ends with, or '' when it names no secret.
function secretName(key) {
  const names = key === '' ? undefined : SECRET_KEYS_BY_LAST.get(lowerChar(key.at(-1)));
  if (names === undefined) return '';
  // "public_key", "publicKeyToken", "public_token" name what anyone may see.
  if (key.length > 6 && startsWithIgnoreCase(key, 0, 'public') && (key[6] === '_' || key[6] === '-' || isUpper(key[6]))) return '';
  for (const name of names) {
    if (!endsWithIgnoreCase(key, name)) continue;
    const at = key.length - name.length;
    const camel = at > 0 && isLower(key[at - 1]) && isUpper(key[at]);
    if (at !== 0 && key[at - 1] !== '_' && key[at - 1] !== '-' && !camel) continue;
    if (name === 'token' && at > 0) {
      // The word before: "pad" in pad_token, "eos" in eosToken, "special" in additional_special_token.
      const wordEnd = camel ? at : at - 1;
      let word = camel ? at - 1 : wordEnd;
      if (camel) {
        while (word > 0 && !isUpper(key[word])) word--;
      } else {
        while (word > 0 && key[word - 1] !== '_' && key[word - 1] !== '-') word--;
      }
      if (VOCABULARY_TOKENS.includes(lowerAscii(key.slice(word, wordEnd)))) return '';
    }
    return name;
  }
  return '';
}

const isLineKey = (key) => LINE_KEYS.includes(lowerAscii(key));
// withoutTrailing() is `word` without the trailing characters of `chars`.
function withoutTrailing(word, chars) {
  let end = word.length;
  while (end > 0 && chars.includes(word[end - 1])) end--;
  return word.slice(0, end);
}

const isNotSecret = (word) => NOT_SECRETS.has(lowerAscii(withoutTrailing(word, '.,;!?')));
const isPhraseStart = (word) => PHRASE_STARTS.has(lowerAscii(word));
// Names whose value may be a phrase of several words.
const isPasswordName = (name) => name === 'password' || name === 'passwd' || name === 'passphrase';
const endsUnquotedValue = (c) => isSpace(c) || (c !== '' && '&,;})]"\''.includes(c));
const isBlank = (c) => c === ' ' || c === '\t';

// credentialEnd() is the end of an RFC 6750 credential at `start` ([A-Za-z0-9-._~+/] then '=').
function credentialEnd(s, start) {
  let end = start;
  while (end < s.limit && (isTokenChar(s.s[end]) || '.~+/'.includes(s.s[end]))) end++;
  const unpadded = end;
  while (s.at(end) === '=') end++;
  // "=" then a word assigns (Token hf_token=None): padding only ends a credential.
  return s.glued(end) ? unpadded : end;
}

// bracketedEnd() is the end of a vocabulary entry or a template's blank at `at` (<s>, </s>, <pad>,
// <|endoftext|>, [PAD], <your-password>), read at most 48 characters far, or 0. The scrubber's own
// placeholders are not among them, but may be inside one, where a first pass left them.
function bracketedEnd(s, at) {
  const open = s.at(at);
  const close = open === '<' ? '>' : open === '[' ? ']' : '';
  if (close === '' || s.placeholderAt(at)) return 0;
  let p = at + 1;
  while (p < s.limit && p - at <= 48) {
    const c = s.s[p];
    if (c === '<' && s.placeholderAt(p)) {
      p += s.placeholderLengthAt(p);
    } else if (isTokenChar(c) || c === '|' || c === '.' || c === '/' || isHigh(c)) {
      p++;
    } else {
      break;
    }
  }
  return p > at + 1 && s.at(p) === close ? p + 1 : 0;
}

// namesAToken() is true for a name that holds a token or a secret: hf_token, eos_token, password.
function namesAToken(name) {
  if (secretName(name) !== '') return true;
  if (!endsWithIgnoreCase(name, 'token')) return false;
  const at = name.length - 5;
  return at === 0 || name[at - 1] === '_' || name[at - 1] === '-' || (isLower(name[at - 1]) && isUpper(name[at]));
}

const isEnvChar = (c) => isUpper(c) || isDigit(c) || c === '_';

// isReference() is true when the value at [q, end) says where a secret is kept rather than being
// one: $GITHUB_TOKEN, %API_KEY%, getpass(), os.environ["DB_PASSWORD"], sys.argv[1],
// tokenizer.eos_token, hf_token. ${TOKEN} and $(cat key) are told before the value is read.
function isReference(s, q, end, quoted) {
  if (quoted || end <= q) return false;
  const value = s.s.slice(q, end);
  // nameEnd() is where a run of `inName` characters from p ends; a placeholder in a name is what a
  // first pass found in it, after this rule let it be.
  const nameEnd = (from, inName) => {
    let p = from;
    while (p < end) {
      if (s.s[p] === '<' && s.placeholderAt(p)) p += s.placeholderLengthAt(p);
      else if (inName(s.s[p])) p++;
      else break;
    }
    return p;
  };
  // A shell or Windows variable, named in capitals as environment variables are.
  if (value[0] === '$' && value.length > 1 && !isDigit(value[1]) && nameEnd(q + 1, isEnvChar) === end) return true;
  if (value.length > 2 && value[0] === '%' && value.at(-1) === '%' && !isDigit(value[1]) && nameEnd(q + 1, isEnvChar) === end - 1) {
    return true;
  }
  // A call or a subscript: a dotted name, then "(" or "[" and a quote, the bracket's close or an
  // index (getpass(), os.getenv("X"), config["password"], sys.argv[1]).
  if (!isAlpha(value[0]) && value[0] !== '_') return false;
  let p = q;
  let segment = q;
  while ((p = nameEnd(p, isWord)) < end && s.s[p] === '.') segment = ++p;
  if (p < end && (s.s[p] === '(' || s.s[p] === '[')) {
    const next = s.at(p + 1);
    return next === ')' || next === '"' || next === "'" || (s.s[p] === '[' && isDigit(next) && s.at(p + 2) === ']');
  }
  // A variable or an attribute that names a secret: its value is elsewhere. One a first pass found
  // something in (args.<secret>) was let be then.
  const last = s.s.slice(segment, end);
  return p === end && segment < end && (namesAToken(last) || last.includes('<'));
}

// looksTyped() is true for a word typed as a password rather than written as prose: letters with
// digits (hunter2, cisco123), symbols (p@ss), six digits or more. So "password authentication
// failed", "password SHA256 mismatch" and "password 2FA" stay.
function looksTyped(word) {
  const bare = withoutTrailing(word, '.,:!?');
  if (bare.length < 4) return false;
  let lower = 0;
  let digits = 0;
  let symbols = 0;
  for (const c of bare) {
    lower += isLower(c) ? 1 : 0;
    digits += isDigit(c) ? 1 : 0;
    symbols += '@#$%^&*!~+='.includes(c) ? 1 : 0;
  }
  return (lower > 0 && digits > 0) || symbols > 0 || (digits === bare.length && digits >= 6);
}

// isWrittenSsn() is true when an SSN in groups is at `at` (078-05-1120, 078 05 1120; the
// separators, the ends and the numbers the number rule takes), which that rule replaces with <ssn>.
function isWrittenSsn(s, at) {
  const digits = (from, n) => {
    for (let k = 0; k < n; k++) if (!isDigit(s.at(from + k))) return false;
    return true;
  };
  const separator = s.at(at + 3);
  if (!digits(at, 3) || !' -._\u2013'.includes(separator) || separator === '\0') return false;
  if (!digits(at + 4, 2) || !s.matches(at + 6, separator) || !digits(at + 7, 4)) return false;
  const end = at + 11;
  if (s.glued(end) || (s.matches(end, separator) && isDigit(s.at(end + 1)))) return false;
  const area = s.s.slice(at, at + 3);
  return area !== '000' && area !== '666' && area[0] !== '9' && s.s.slice(at + 4, at + 6) !== '00' && s.s.slice(at + 7, at + 11) !== '0000';
}

// isNotASecret() is true when the value at [q, end), the first word of an unquoted value or the
// whole of a quoted one, is no secret: a verdict, a reference, a vocabulary entry, a count, a mask.
// `moreWords` is true when a phrase follows the first word.
function isNotASecret(s, name, q, end, quoted, moreWords) {
  if (end <= q) return true;
  const value = s.s.slice(q, end);
  const bracketed = bracketedEnd(s, q);
  if (bracketed !== 0 && (quoted ? bracketed === end : bracketed >= end)) return true;
  if (isReference(s, q, end, quoted)) return true;
  if (quoted) return false;
  if (isNotSecret(value) && !(moreWords && isPhraseStart(value))) return true;
  let masked = true;
  let digits = true;
  for (const c of value) {
    masked &&= c === '*';
    digits &&= isDigit(c);
  }
  if (masked) return true; // already masked
  // "token: 1234" counts tokens or names one; one-time codes have six digits or more.
  if (name === 'token' && digits && value.length <= 5) return true;
  // A PIN has four digits or more: "pin: 3" is a pin of a chip.
  return name === 'pin' && value.length < 4;
}

// isNotASecretStart() is true when the first characters of a value at q show it is none: a
// reference (${TOKEN}, $(cat key)), a structure ("password": {"type": "string"}), a written SSN
// (the number rule's), a directory after "pwd" (PWD=/home/alice/proj, which the path rule sees).
function isNotASecretStart(s, name, q) {
  if (s.at(q) === '$' && (s.at(q + 1) === '{' || s.at(q + 1) === '(')) return true;
  if (name === 'ssn' && isWrittenSsn(s, q)) return true;
  if (s.at(q) === '{') return true;
  return name === 'pwd' && (s.at(q) === '/' || s.at(q) === '~' || (isAlpha(s.at(q)) && s.at(q + 1) === ':' && s.at(q + 2) === '\\'));
}

// Command lines that take a password as an option's argument: mysql -u root -phunter2 (the
// password glued to -p, right after the user), sshpass -p hunter2. Elsewhere "-p" is a port, a
// parent directory or a prompt (ssh -p 22, mkdir -p, mysql -p dbname), so nothing else counts.
function tryCommandPassword(s) {
  let p = s.i;
  let user = 0;
  let userEnd = 0;
  const sshpass = s.matches(p, 'sshpass ');
  if (sshpass) {
    p += 7;
  } else {
    if (s.matches(p, '--user=')) {
      p += 7;
    } else if (s.matches(p, '-u')) {
      p += 2;
      while (s.at(p) === ' ') p++;
    } else {
      return false;
    }
    user = p;
    userEnd = s.end(s.t.tokenEnd, p);
    if (userEnd === p || s.at(p) === '-') return false;
    p = userEnd;
  }
  if (s.at(p) !== ' ') return false;
  while (s.at(p) === ' ') p++;
  if (!s.matches(p, '-p')) return false;
  p += 2;
  if (sshpass) while (s.at(p) === ' ') p++;
  const quote = s.at(p) === '"' || s.at(p) === "'" ? s.at(p) : '';
  const start = quote !== '' ? p + 1 : p;
  let end = start;
  let number = true; // -p8080:80 maps a port (docker run -u 1000 -p8080:80)
  let found = false; // a placeholder but "<secret>" alone: what a first pass found after letting the value be
  while (end < s.limit && (quote !== '' ? s.s[end] !== quote && s.s[end] !== '\n' : !endsUnquotedValue(s.s[end]))) {
    number &&= isDigit(s.s[end]) || s.s[end] === ':' || s.s[end] === '.';
    found ||= s.placeholderAt(end);
    end++;
  }
  if (s.s.slice(start, end) === SECRET) found = false;
  if (end === start || (number && quote === '' && end - start <= 24) || found) return false;
  // The user name is text like any other: the rules see it.
  if (!sshpass) {
    s.copy(user);
    s.range(user, userEnd, s.inUrl);
  }
  s.copy(start);
  return s.emit(SECRET, end);
}

// password=…, "token": "…", GITHUB_TOKEN=…, db_password: …, accessToken=…, --password hunter2,
// <password>hunter2</password>, the password is hunter2, password hunter2 (.netrc), Authorization:
// Bearer …, mysql -u root -phunter2. The key stays, the value goes; a value that is no secret (a
// verdict, a reference, a vocabulary entry) stays too.
export function tryKeyValue(s) {
  if ((s.at(s.i) === '-' || s.at(s.i) === 's') && tryCommandPassword(s)) return true;
  let p = s.i;
  const tag = s.at(p) === '<';
  const keyQuote = s.at(p) === '"' || s.at(p) === "'" ? s.at(p) : '';
  if (tag || keyQuote !== '') p++;
  const keyEnd = s.end(s.t.tokenEnd, p);
  if (keyEnd === p) return false;
  const key = s.s.slice(p, keyEnd);
  const name = secretName(key);
  if (name === '') return false;
  // Alone, "pin" is a PIN; gpio_pin, led_pin are a chip's pins.
  const wholeKey = name.length === key.length;
  if (name === 'pin' && !wholeKey) return false;
  // "pass" alone is a test's verdict with a colon (PASS: test_io, pass: 42 tests passed), in prose
  // a verb; "pass=…", "--pass …", "DB_PASS: …" are passwords.
  const barePass = name === 'pass' && wholeKey;
  let q = keyEnd;
  let prose = false; // "the password is …"
  let spoken = false; // "password hunter2": no separator at all
  let spaced = false; // "password: a b c": a space after the separator, as in YAML and prose
  let quoteClosed = false; // "password": …, as against "password=…"
  if (tag) {
    if (s.at(q) !== '>') return false;
    q++;
  } else {
    quoteClosed = s.at(q) === '"' || s.at(q) === "'";
    if (keyQuote !== '' && s.at(q) === keyQuote) q++;
    const flag = keyQuote === '' && s.i >= s.begin + 2 && s.s[s.i - 1] === '-' && s.s[s.i - 2] === '-';
    const afterKey = q;
    while (isBlank(s.at(q))) q++;
    if (s.at(q) === '=' || s.at(q) === ':') {
      if (barePass && s.at(q) === ':') return false;
      q++;
      if (s.at(q) === '>' || s.at(q) === '=') q++; // password => hunter2, password := hunter2
      spaced = isBlank(s.at(q));
      while (isBlank(s.at(q))) q++;
    } else if (keyQuote === '' && q > afterKey && !barePass && s.matchesIgnoreCase(q, 'is') &&
               (s.at(q + 2) === ' ' || (s.at(q + 2) === ':' && s.at(q + 3) === ' '))) {
      q += s.at(q + 2) === ':' ? 3 : 2;
      while (s.at(q) === ' ') q++;
      prose = true;
    } else if (flag && q > afterKey) {
      // --password hunter2
    } else if (keyQuote === '' && q > afterKey && isPasswordName(name)) {
      spoken = true;
    } else {
      return false;
    }
  }
  const quote = s.at(q) === '"' || s.at(q) === "'" ? s.at(q) : '';
  if (spoken && quote !== '') return false;
  // "Password: " in quotes is a prompt: the quote that follows closes it and opens no value.
  const before = s.i > s.begin ? s.s[s.i - 1] : '';
  const opened = keyQuote !== '' ? keyQuote : before === '"' || before === "'" ? before : '';
  if (!tag && opened !== '' && !quoteClosed && quote === opened) return false;
  if (quote !== '') q++;
  if (isNotASecretStart(s, name, q)) return false;
  // A value a first pass scrubbed: "<secret>" alone is scrubbed again the same way, so the key is
  // read as it was; a value starting with any other placeholder, or with more after it, is one
  // this rule let be, and another rule found something in.
  const placeholder = tag ? 0 : s.placeholderLengthAt(q);
  if (placeholder > 0) {
    const after = s.at(q + placeholder);
    const alone = quote !== '' ? after === quote : after === '\0' || endsUnquotedValue(after);
    if (!alone || s.s.slice(q, q + placeholder) !== SECRET) return false;
  }
  const wholeLine = isLineKey(key);
  // The first word of an unquoted value; all of a quoted or a tag's.
  let valueEnd = q;
  while (valueEnd < s.limit) {
    const c = s.s[valueEnd];
    if (quote !== '') {
      if (c === '\\' && valueEnd + 1 < s.limit && s.s[valueEnd + 1] !== '\n') { // an escaped quote does not end the value
        valueEnd += 2;
        continue;
      }
      if (c === quote || c === '\n') break;
    } else if (tag) {
      if (c === '<' || c === '\n') break;
    } else if (endsUnquotedValue(c)) {
      break;
    }
    valueEnd++;
  }
  if (valueEnd === q) return false;
  const unquoted = quote === '' && !tag;
  // A password written with a space after its separator may be a phrase (Password: correct horse
  // battery staple), and a passphrase is one however written: it runs over the words that follow,
  // to the end of the line, a "," or ";", the next key (password: a b user=bob) or a placeholder.
  const phrase = unquoted && !prose && !spoken && isPasswordName(name) && (spaced || name === 'passphrase');
  let nextWord = valueEnd;
  while (isBlank(s.at(nextWord))) nextWord++;
  const moreWords = (phrase || wholeLine) && nextWord > valueEnd && s.at(nextWord) !== '\0' && !endsUnquotedValue(s.at(nextWord));
  if (placeholder === 0 && (unquoted || quote !== '')) {
    if (isNotASecret(s, name, q, valueEnd, quote !== '', moreWords)) return false;
    // A word a first pass found something in was let be then.
    const word = s.s.slice(q, valueEnd);
    if (spoken && (!looksTyped(word) || word.includes('<'))) return false;
  }
  if (wholeLine && unquoted) {
    while (valueEnd < s.limit && s.s[valueEnd] !== '\n' && s.s[valueEnd] !== '\r') valueEnd++;
  } else if (phrase) {
    for (let r = valueEnd; isBlank(s.at(r));) {
      let w = r;
      while (isBlank(s.at(w))) w++;
      const c = s.at(w);
      // A placeholder starts what another rule found after the phrase, where a first pass stopped.
      if (c === '\0' || endsUnquotedValue(c) || s.placeholderAt(w)) break;
      const wordEnd = s.end(s.t.tokenEnd, w);
      // The next key; what a first pass found inside it ends its name too.
      if (isAlpha(c) && (s.at(wordEnd) === '=' || s.at(wordEnd) === ':' || s.placeholderAt(wordEnd))) break;
      r = w;
      while (r < s.limit && !endsUnquotedValue(s.s[r])) r++;
      valueEnd = r;
    }
  }
  // A private key as the value: the whole block goes, not its first line.
  if (s.matches(q, '-----BEGIN')) valueEnd = blockEnd(s, q + 10, '-----END', '-----');
  if (s.matches(q, '---- BEGIN SSH2')) valueEnd = blockEnd(s, q + 15, '---- END', '----');
  // A header's scheme word stays, so "Authorization: Bearer <secret>" still says what was sent.
  if (wholeLine) {
    for (const scheme of AUTH_SCHEMES) if (s.matchesIgnoreCase(q, scheme) && q + scheme.length < valueEnd) q += scheme.length;
  }
  // An element's value counts only with its closing tag, so "<secret>" left by another rule is
  // never read as an element named secret.
  if (tag && !(s.matches(valueEnd, '</') && s.matches(valueEnd + 2, key) && s.at(valueEnd + 2 + key.length) === '>')) return false;
  s.copy(q);
  return s.emit(SECRET, valueEnd);
}

// Authorization schemes: "Bearer <token>", "Basic <base64>", "Token <token>". The credential must
// look like one (a digit, base64 padding, or long and mixed case), so "Basic configuration" and
// "the bearer of bad news" stay text.
export function tryAuthScheme(s) {
  for (const scheme of AUTH_SCHEMES) {
    if (!s.matchesIgnoreCase(s.i, scheme)) continue;
    const start = s.i + scheme.length;
    const end = credentialEnd(s, start);
    const length = end - start;
    if (length < 8) continue;
    const counts = s.t.counts();
    const looksLikeCredential = count(counts.digit, start, end) > 0 || count(counts.equals, start, end) > 0 ||
      (length >= 16 && count(counts.upper, start, end) > 0 && count(counts.lower, start, end) > 0);
    if (!looksLikeCredential) continue;
    s.copy(start);
    return s.emit(SECRET, end);
  }
  return false;
}

// ---- provider tokens --------------------------------------------------------------------------

// What may follow a token's prefix.
const BODY = {
  token: isTokenChar, // [A-Za-z0-9_-]
  dotted: (c) => isTokenChar(c) || c === '.', // tokens made of dot-separated parts (SendGrid, Google OAuth)
  base64: isBase64Char, // a base64 part inside the token (Sentry's org tokens)
  upper: (c) => isUpper(c) || isDigit(c), // AWS key ids
  hex: isHex,
};

// Prefixes as providers issue them (case-sensitive), the body characters each needs after it, and
// of which kind.
const TOKEN_PREFIXES = [
  // OpenAI (sk-, sk-proj-, sk-svcacct-, sk-admin-) and Anthropic (sk-ant-api03-, sk-ant-admin01-).
  ['sk-', 16, 'token'],
  // Stripe secret and restricted keys, webhook secrets.
  ['sk_live_', 16, 'token'], ['sk_test_', 16, 'token'], ['sk_prod_', 16, 'token'],
  ['rk_live_', 16, 'token'], ['rk_test_', 16, 'token'], ['rk_prod_', 16, 'token'], ['whsec_', 24, 'token'],
  // GitHub.
  ['ghp_', 20, 'token'], ['gho_', 20, 'token'], ['ghu_', 20, 'token'], ['ghs_', 20, 'token'], ['ghr_', 20, 'token'],
  ['github_pat_', 20, 'token'],
  // GitLab.
  ['glpat-', 16, 'token'], ['gldt-', 16, 'token'], ['glrt-', 16, 'token'], ['glptt-', 16, 'token'], ['glsoat-', 16, 'token'],
  ['glcbt-', 16, 'token'], ['glimt-', 16, 'token'], ['glft-', 16, 'token'], ['glffct-', 16, 'token'], ['glagent-', 16, 'token'],
  ['gloas-', 16, 'token'], ['GR1348941', 16, 'token'],
  // Slack.
  ['xoxb-', 10, 'token'], ['xoxp-', 10, 'token'], ['xoxa-', 10, 'token'], ['xoxr-', 10, 'token'], ['xoxs-', 10, 'token'],
  ['xoxo-', 10, 'token'], ['xoxe-', 10, 'token'], ['xoxe.xoxp-', 10, 'token'], ['xapp-', 10, 'token'],
  // Google: API keys, OAuth access tokens, OAuth client secrets.
  ['AIza', 30, 'token'], ['ya29.', 20, 'dotted'], ['GOCSPX-', 20, 'token'],
  // Hugging Face, npm, PyPI.
  ['hf_', 30, 'token'], ['api_org_', 30, 'token'], ['npm_', 30, 'token'], ['pypi-AgEIcHlwaS5vcmc', 20, 'token'],
  // AWS access key ids.
  ['AKIA', 16, 'upper'], ['ASIA', 16, 'upper'], ['ABIA', 16, 'upper'], ['ACCA', 16, 'upper'],
  // Others with a distinctive prefix.
  ['SG.', 20, 'dotted'], // SendGrid
  ['SK', 32, 'hex'], // Twilio API keys
  ['shpat_', 32, 'hex'], ['shpca_', 32, 'hex'], ['shppa_', 32, 'hex'], ['shpss_', 32, 'hex'],
  ['dckr_pat_', 20, 'token'], ['dckr_oat_', 20, 'token'], // Docker Hub
  ['dop_v1_', 64, 'hex'], ['doo_v1_', 64, 'hex'], ['dor_v1_', 64, 'hex'], // DigitalOcean
  ['dapi', 32, 'hex'], // Databricks
  ['lin_api_', 32, 'token'], // Linear
  ['PMAK-', 24, 'token'], // Postman
  ['sntrys_', 30, 'base64'], ['sntryu_', 32, 'hex'], // Sentry
  ['key-', 32, 'hex'], // Mailgun
  ['hvs.', 24, 'token'], ['hvb.', 24, 'token'], // HashiCorp Vault
  ['glsa_', 32, 'token'], ['glc_', 32, 'token'], // Grafana
  ['NRAK-', 20, 'token'], ['HRKU-', 20, 'token'], // New Relic, Heroku
  ['pplx-', 40, 'token'], ['rubygems_', 40, 'hex'], ['ATATT3', 40, 'token'],
  ['AGE-SECRET-KEY-1', 30, 'upper'],
].map(([prefix, minRest, body]) => ({ prefix, minRest, body }));
// The prefixes by first character, in order: a token start tries only those that can match it.
const PREFIXES_BY_FIRST = new Map();
for (const token of TOKEN_PREFIXES) PREFIXES_BY_FIRST.set(token.prefix[0], [...(PREFIXES_BY_FIRST.get(token.prefix[0]) ?? []), token]);

export const startsTokenPrefix = (c) => PREFIXES_BY_FIRST.has(c);

// AWS key ids are AKIA (ASIA, ABIA, ACCA) and 16 characters of base32: inside a word
// (AWSAKIAIOSFODNN7EXAMPLE) only that exact shape is looked for.
const isAwsKeyId = (token) => token.body === 'upper' && token.prefix.length === 4;
const AWS_KEY_ID_BODY = 16;
const isBase32 = (c) => isUpper(c) || (c >= '2' && c <= '7');

export function tryTokenPrefix(s) {
  // Glued to a word, a token is looked for after "_" (key_ghp_…, x_sk-…) with a body that looks
  // random, and after a letter or a digit only as an AWS key id. What follows a placeholder counts
  // as glued to a letter, so a second pass sees what the first did.
  const glued = !s.atTokenStart();
  const afterUnderscore = glued && s.i !== s.afterMatch && s.s[s.i - 1] === '_';
  for (const token of PREFIXES_BY_FIRST.get(s.s[s.i]) ?? []) {
    if (!s.matches(s.i, token.prefix)) continue;
    const rest = s.i + token.prefix.length;
    let end = rest;
    if (glued && !afterUnderscore) {
      // Inside a word: an AWS key id of exactly its length, read no further.
      if (!isAwsKeyId(token)) continue;
      while (end < s.limit && end - rest <= AWS_KEY_ID_BODY && isBase32(s.s[end])) end++;
      if (end - rest !== AWS_KEY_ID_BODY || s.glued(end)) continue;
      return s.emit(SECRET, end);
    }
    if (token.body === 'token') {
      end = s.end(s.t.tokenEnd, rest);
    } else if (token.body === 'base64') {
      end = s.end(s.t.base64End, rest);
    } else if (token.body === 'dotted' && glued) {
      continue;
    } else {
      const inBody = BODY[token.body];
      while (end < s.limit && inBody(s.s[end])) end++;
    }
    if (end - rest < token.minRest) continue;
    // Exact-charset bodies (hex, AWS) must not run on into a longer word.
    if ((token.body === 'hex' || token.body === 'upper') && s.glued(end)) continue;
    // After "_" in an identifier (load_hf_dataset_from_disk_with_cache) a body of words is no
    // token: providers' bodies are random and mix digits and capitals.
    if (glued && token.body === 'token') {
      const counts = s.t.counts();
      if (count(counts.digit, rest, end) === 0 || count(counts.upper, rest, end) === 0) continue;
    }
    // A token ends where its characters do, with any base64 padding.
    while (token.body === 'token' && s.at(end) === '=') end++;
    return s.emit(SECRET, end);
  }
  return false;
}

// header.payload.signature, base64url, the header starting {" encoded as eyJ; or an unsigned
// header.payload, both parts JSON objects (eyJ….eyJ…).
export function tryJwt(s) {
  if (!s.matches(s.i, 'eyJ')) return false;
  let p = s.i;
  for (let part = 0; part < 3; part++) {
    const end = s.end(s.t.tokenEnd, p);
    if (end - p < (part === 2 ? 0 : 4)) return false;
    if (part === 1 && s.at(end) !== '.' && s.matches(p, 'eyJ')) return s.emit(SECRET, end);
    p = end;
    if (part < 2) {
      if (s.at(p) !== '.') return false;
      p++;
    }
  }
  return s.emit(SECRET, p);
}

// ---- what only looks random -------------------------------------------------------------------

// isCamelCaseName() is true when [from, end), letters, digits and "_" only, reads as a class or
// a test name (Wav2Vec2ConformerForSequenceClassification, TestReconcileTaskSpawnerWithGitHubSource2Repos):
// at most one digit in ten characters, no more capitals than small letters, and words: runs of
// small letters three long on average and a third of them vowels, where a random key's run
// averages under two and a fifth of its letters are vowels. It reads from a token start to the
// first other character at most, where the next token start is: each word is read once.
function isCamelCaseName(s, from, end) {
  const counts = s.t.counts();
  const length = end - from;
  const digits = count(counts.digit, from, end);
  const upper = count(counts.upper, from, end);
  const lower = count(counts.lower, from, end);
  if (digits * 10 > length || upper > lower) return false;
  let lowerRuns = 0;
  let vowels = 0;
  for (let p = from; p < end; p++) {
    const c = s.s[p];
    if (!isWord(c)) return false;
    if (!isLower(c)) continue;
    if (p === from || !isLower(s.s[p - 1])) lowerRuns++;
    if ('aeiou'.includes(c)) vowels++;
  }
  return lower >= 3 * lowerRuns && 3 * vowels >= lower;
}

// Long random-looking strings: 32+ hex digits, or 40+ base64 characters mixing upper case, lower
// case and digits (identifiers and words rarely carry all three at that length, and CamelCase
// names that do are told by their words). Exactly 40 or 64 lower-case hex digits are kept: git
// commits and SHA-256 digests, which name code, not people.
export function tryLongSecret(s) {
  const end = s.end(s.t.base64End, s.i);
  const length = end - s.i;
  if (length < 32 || s.glued(end)) return false;
  const counts = s.t.counts();
  const digits = count(counts.digit, s.i, end) > 0;
  if (count(counts.nonHex, s.i, end) === 0 && digits) {
    const digest = (length === 40 || length === 64) && count(counts.upper, s.i, end) === 0;
    return !digest && s.emit(SECRET, end);
  }
  if (length < 40 || !digits || count(counts.upper, s.i, end) === 0 || count(counts.lower, s.i, end) === 0) return false;
  if (isCamelCaseName(s, s.i, end)) return false;
  // Relative paths use this alphabet too. A secret with '/' shows its randomness: '+' or '='
  // padding, or letters that keep switching case (a path's CamelCase switches seldom).
  if (count(counts.slash, s.i, end) > 0 && count(counts.plus, s.i, end) === 0 && s.s[end - 1] !== '=') {
    if (count(counts.caseSwitch, s.i, end) * 4 < counts.letters(s.i, end)) return false;
  }
  return s.emit(SECRET, end);
}
