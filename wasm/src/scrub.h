// scrub.h: removing what is personal or secret from free text (error messages, stack traces).
//
// Scrub() replaces, never truncates: each thing found becomes a stable placeholder, so the same
// bug still groups into one message however many users hit it. The rules (docs/SCRUBBING.md):
//   <path>    file system paths (POSIX, Windows, ~, UNC, file: URLs); a source file's name, or the
//             part below site-packages/ node_modules/ dist-packages/ pkg/mod/, is kept after it
//   <email>   e-mail addresses
//   <ip>      IPv4 and IPv6 addresses (not versions, not C++ scopes like std::vector)
//   <secret>  keys and tokens (sk-, ghp_, xox?-, AKIA, hf_, glpat-, npm_, AIza, JWTs, PEM blocks),
//             Bearer/Basic credentials, values of password=, token=, secret=, api_key=…, URL
//             credentials, and long hex or mixed base64 strings
//   <query>   the query string and fragment of a URL
// Scanners are hand-written: no regex engine runs on the request path. A match starts only at a
// token start (after a character that is not an ASCII letter, digit or "_").
#ifndef PHONEHOME_SCRUB_H
#define PHONEHOME_SCRUB_H

#include <string>
#include <string_view>

namespace phonehome::scrub {

// Scrub() appends the scrubbed form of `text` (valid UTF-8), at most max_output bytes of it, to
// `out`. It runs in time linear in the text, whatever the text; text far beyond max_output is
// not read (a window of twice the output, whose last word is dropped if the window cut it).
void Scrub(std::string_view text, size_t max_output, std::string& out);

}  // namespace phonehome::scrub

#endif  // PHONEHOME_SCRUB_H
