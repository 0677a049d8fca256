// normalize.h: one spelling for every value the catalogue's field kinds accept.
//
// Each function reads a value as a client sent it and writes the one spelling phonehome stores,
// or says with a status why the value cannot be read. None allocates beyond the output string.
#ifndef PHONEHOME_NORMALIZE_H
#define PHONEHOME_NORMALIZE_H

#include <cstdint>
#include <string>
#include <string_view>

#include "catalogue.h"
#include "phonehome/core.h"

namespace phonehome::normalize {

// The span of event times phonehome believes: 2000-01-01 up to, not including, 2100-01-01 UTC.
inline constexpr int64_t kMinTimeMs = 946684800000;
inline constexpr int64_t kMaxTimeMs = 4102444800000;
inline constexpr int64_t kDayMs = 86400000;

// CleanText() writes `in` without leading and trailing whitespace, without control characters
// (C0, DEL and C1) and without invisible ones (Unicode's default-ignorable code points: zero-width
// spaces and joiners, soft hyphens, variation selectors…), which no stored string should hold. Free
// text keeps its line breaks and tabs (keep_newlines), so a stack trace keeps its shape.
void CleanText(std::string_view in, std::string& out, bool keep_newlines = false);

// CleanView() is CleanText() without the copy when `in` is already clean (the common case):
// it returns `in` itself, or the cleaned text written to `buffer`.
std::string_view CleanView(std::string_view in, std::string& buffer, bool keep_newlines = false);

// Utf8Boundary() is the largest length <= max at which `text` can be cut without splitting a
// UTF-8 sequence. `text` must be valid UTF-8.
size_t Utf8Boundary(std::string_view text, size_t max);

// Uuid() accepts 8-4-4-4-12 hex (any case, optionally in braces) or 32 bare hex digits and writes
// the lower-case 8-4-4-4-12 form.
Status Uuid(std::string_view in, std::string& out);

// Version() accepts a semantic version with 1 to 4 numeric parts, a pre-release and build
// metadata, and writes it without leading zeros. A runtime's own prefix is dropped: "v20.11.1",
// "go1.22.0" and "python3.12" read as 20.11.1, 1.22.0 and 3.12. A version is stored as sent, so it
// must not be able to carry anything else: its pre-release and build identifiers are at most
// kMaxVersionIdentifier characters, and a version that could carry something personal
// (scrub::UnsafeAsSent(): 10.0.0.5 reads as an address, 415.555.2671 as a phone number,
// 1.0.0-Janes-MacBook-Pro names a machine) is refused with sensitive_value.
Status Version(std::string_view in, std::string& out);
inline constexpr size_t kMaxVersionIdentifier = 40;  // a git commit in the build metadata fits
inline constexpr size_t kMaxVersionLength = 128;     // after its prefix (at most 16 letters and a - or _)

// IsModelName() is true for the name part of a model id ("Llama-3.1-8B-Instruct"): the characters
// Hugging Face allows in repository names, at most 96 of them.
bool IsModelName(std::string_view name);

// CutVersion() keeps the first `parts` numeric parts of a normalized version ("1.30.2-eks-1" with
// 2 parts is "1.30"); 0 keeps it whole.
std::string_view CutVersion(std::string_view version, int parts);

// CompareVersions() orders two versions as Version() writes them by SemVer precedence: numeric
// parts by value (a missing part is 0, so 1.2 equals 1.2.0), a pre-release below its release,
// pre-release identifiers numeric below alphanumeric, build metadata ignored. -1, 0 or 1.
int CompareVersions(std::string_view a, std::string_view b);

// IsPathLike() is true for values that look like a file system location rather than an id:
// absolute, home-relative or dot-relative paths, Windows drives and UNC names, file: URLs, and
// anything with more than one "/".
bool IsPathLike(std::string_view value);

// TimestampFromNumber() reads epoch seconds (with fraction) or epoch milliseconds, told apart
// by magnitude, into UTC milliseconds within [kMinTimeMs, kMaxTimeMs).
Status TimestampFromNumber(double value, int64_t& ms);

// TimestampFromText() reads an RFC 3339 date-time with offset into UTC milliseconds.
Status TimestampFromText(std::string_view in, int64_t& ms);

// TimestampFromHeader() reads a time given as text that may hold a number (epoch seconds or
// milliseconds, as in an X-Sent-At header) or an RFC 3339 date-time.
Status TimestampFromHeader(std::string_view in, int64_t& ms);

// BoolFromText() reads a query-string boolean: true or false in any case (Python's str(True) is
// "True"). False for anything else.
bool BoolFromText(std::string_view in, bool& value);

// NumberFromText() reads a query-string number in JSON's grammar (-12, 1.5, 2e-05; no inf, nan,
// hex or leading zeros). `integer` is set, and `is_integer` true, when it is a whole number that
// fits an int64_t and is written without a fraction or an exponent.
bool NumberFromText(std::string_view in, double& number, bool& is_integer, int64_t& integer);

// How far ahead of the server's clock an event time may be before it is replaced by the receive
// time (PostHog's rule): a client clock a day fast cannot put events in tomorrow.
inline constexpr int64_t kMaxFutureMs = 23LL * 3600 * 1000;

// EnumIndex() finds `in` among an enum's canonical values and aliases, ignoring ASCII case and
// surrounding whitespace; -1 when it is neither.
int EnumIndex(const catalogue::EnumSpec& spec, std::string_view in);

}  // namespace phonehome::normalize

#endif  // PHONEHOME_NORMALIZE_H
