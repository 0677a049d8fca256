// envelope.h: reading the `sent_at` of a /v1/batch envelope before the events are parsed.
//
// An envelope may put "sent_at" after its "events" (posthog-python does), but every event time
// depends on it, and rows are written as they are parsed. So a quick byte scan, much cheaper than
// a parse, finds it first. It understands JSON strings and nesting, and nothing more: the SAX
// pass still reports any malformed JSON.
#ifndef PHONEHOME_ENVELOPE_H
#define PHONEHOME_ENVELOPE_H

#include <string_view>

namespace phonehome::envelope {

// FindSentAt() looks for the key "sent_at" directly inside the top-level object of `body`. It
// returns true and sets `value` to the raw text of the value: a string's content (without quotes)
// or a number's characters. Values of other types, and strings with escapes, leave `value`
// empty but still return true, so the caller can refuse them.
bool FindSentAt(std::string_view body, std::string_view& value);

}  // namespace phonehome::envelope

#endif  // PHONEHOME_ENVELOPE_H
