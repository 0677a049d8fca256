// scrub/scan.cpp: the scan loop and the order in which rules are tried.
#include "scrub/scan.h"

namespace phonehome::scrub {

void Scan::Range(size_t range_begin, size_t range_end, bool url) {
  const size_t saved_begin = begin, saved_limit = limit;
  const bool saved_in_url = in_url;
  begin = range_begin;
  limit = range_end;
  in_url = url;
  i = range_begin;
  while (i < limit) {
    if (TryHere()) {
      // What follows a placeholder is glued to it (AtTokenStart()), as a second pass will see it.
      if (!out.empty() && out.back() == '>' && PlaceholderBefore(out, out.size())) after_match = i;
      continue;
    }
    out.push_back(s[i++]);
  }
  begin = saved_begin;
  limit = saved_limit;
  in_url = saved_in_url;
}

// TryHere() tries, in order, the rules that can start with this character. Each rules itself out
// in constant time otherwise, so plain text costs a few table lookups per word.
bool Scan::TryHere() {
  const char c = s[i];
  // A match never starts inside a character, so it never splits one.
  if (IsContinuation(c)) return false;
  // Inside a word, what names someone or opens an account whatever comes before it: an IPv4
  // address (ip_10.0.0.5), a home folder (1120/home/alice/…), an AWS key id (AWSAKIA…). After "_"
  // also provider tokens, JWTs and account numbers (key_ghp_…, card_4111…, tel_+44…). Key names
  // are not looked for there: "pad_token" must not be read as "token".
  if (!AtTokenStart()) {
    if (IsDigit(c) && TryGluedIpv4(*this)) return true;
    if (c == 'A' && TryTokenPrefix(*this)) return true;
    if (s[i - 1] != '_' || i == after_match) return (c == '/' || c == '\\') && !in_url && TryGluedHomePath(*this);
    if (c != 'A' && StartsTokenPrefix(c) && TryTokenPrefix(*this)) return true;
    if (c == 'e' && TryJwt(*this)) return true;
    if (IsDigit(c) && (TryCard(*this) || TrySsn(*this))) return true;
    if ((IsDigit(c) || c == '+') && TryPhone(*this)) return true;
    return IsAlpha(c) && TryIban(*this);
  }
  const bool alpha = IsAlpha(c);
  const bool digit = IsDigit(c);
  // Blocks and URLs first: they contain what the other rules look for.
  if ((c == '-' || c == 'P') && TryPemBlock(*this)) return true;
  if (!in_url && alpha && At(End(t.scheme_end, i)) == ':' && TryUrl(*this)) return true;
  if (At(End(t.local_end, i)) == '@' && TryEmail(*this)) return true;
  // Secrets named by a key, a scheme or their own prefix.
  if ((IsTokenChar(c) || c == '"' || c == '\'' || c == '<') && TryKeyValue(*this)) return true;
  if (alpha && TryAuthScheme(*this)) return true;
  if (StartsTokenPrefix(c) && TryTokenPrefix(*this)) return true;
  if (c == 'e' && TryJwt(*this)) return true;
  // Places: file paths, machines, addresses.
  if (!in_url && (c == '/' || c == '~' || c == '.' || c == '\\' || c == '%' || c == '$' || (alpha && At(i + 1) == ':')) &&
      TryPath(*this, false)) {
    return true;
  }
  if (alpha && TryDeviceName(*this)) return true;
  if (IsAlnum(c) && TryHostName(*this)) return true;
  if (IsHex(c) && TryMac(*this)) return true;
  if (digit && TryIpv4(*this)) return true;
  if ((IsHex(c) || c == ':') && TryIpv6(*this)) return true;
  // Numbers that name a person or an account.
  if (digit && (TryCard(*this) || TrySsn(*this))) return true;
  if ((digit || c == '+' || c == '(') && TryPhone(*this)) return true;
  if (alpha && TryIban(*this)) return true;
  // Last, what only looks random.
  return End(t.base64_end, i) - i >= 32 && TryLongSecret(*this);
}

}  // namespace phonehome::scrub
