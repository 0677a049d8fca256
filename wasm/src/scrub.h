// scrub.h: removing what is personal or secret from stored strings.
//
// Scrub() replaces, never truncates: each thing found becomes a stable placeholder, so the same
// bug still groups into one message however many users hit it. The rules, each with an example of
// what it replaces and what it leaves, are listed in docs/SCRUBBING.md:
//   <path>    file system paths (POSIX, Windows, UNC, ~user, %USERPROFILE%, $HOME, file: URLs); a
//             source file's name, or the part below site-packages/ node_modules/ …, is kept
//   <email>   e-mail addresses, non-ASCII and IDN ones included
//   <ip>      IPv4 (leading zeros, hex-dotted, glued to a word) and IPv6 addresses
//   <mac>     MAC addresses
//   <host>    names of personal machines (*.local, DESKTOP-…, Janes-MacBook-Pro, Jane's MacBook Pro)
//   <secret>  provider tokens by prefix, JWTs, private keys, Bearer/Basic credentials, the values of
//             password-like keys, URL credentials, webhook secrets, long random strings
//   <query>   the query string and fragment of a URL
//   <card>    payment card numbers (Luhn), <iban> IBANs (mod 97), <ssn> US social security
//             numbers, <phone> phone numbers
// The scanners are hand-written (scrub/): no regex engine runs on the request path, and the time
// taken is linear in the text whatever the text (scrub/scan.h says how).
#ifndef PHONEHOME_SCRUB_H
#define PHONEHOME_SCRUB_H

#include <cstddef>
#include <string>
#include <string_view>

namespace phonehome::scrub {

// Scrub() appends the scrubbed form of `text` (valid UTF-8), at most max_output bytes of it, to
// `out`. Text far beyond max_output is not read: a window of twice the output plus 1 KiB, whose
// last 64 bytes, back to a space, are dropped when the window cuts the text (half a secret, or
// half a card in groups, is still a secret).
void Scrub(std::string_view text, size_t max_output, std::string& out);

// Changes() is true when Scrub() would replace anything in `text`. A value that is stored exactly as
// sent (a version, a map key, a model id) is refused or replaced whole when it does.
bool Changes(std::string_view text);

// UnsafeAsSent() is true when a value stored exactly as sent (a version, a map key, a model id, a
// column) could carry something personal: Changes() is true for it or for a part glued into it
// (1.0.0-Janes-MacBook-Pro, key_AKIA…), or it holds a run of more than 8 digits that is no date and
// time (a phone, an SSN, an account), four numbers of at most 255 joined by '-' or '_' (an IPv4
// address as host names write it), or a random-looking run of 12 or more letters and digits.
bool UnsafeAsSent(std::string_view value);

}  // namespace phonehome::scrub

#endif  // PHONEHOME_SCRUB_H
