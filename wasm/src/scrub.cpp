// scrub.cpp: the scrubber's entry points: the window read, the scan, the cut.
#include "scrub.h"

#include "ascii.h"
#include "json_out.h"
#include "normalize.h"
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

Tables& ReusedTables() {
  static Tables tables;
  return tables;
}

// The window scrubbed: a little over twice what can be stored. Text past it is not read: it could
// only ever reach the stored result through a token longer than the window, which is cut anyway.
size_t WindowFor(size_t max_output) { return 2 * max_output + 1024; }

// Recent results for short texts. A batch repeats the same versions, names, list items and keys
// in every event, and a scrubber pass over them costs more than the rest of their field; the
// result depends only on the text and the bound.
class Memo {
 public:
  static constexpr size_t kLongestText = 128;

  const std::string* Find(std::string_view text, size_t max_output) const {
    for (const Entry& entry : entries_) {
      if (entry.used && entry.max_output == max_output && ascii::SameBytes(entry.text, text)) return &entry.result;
    }
    return nullptr;
  }
  void Keep(std::string_view text, size_t max_output, std::string_view result) {
    Entry& entry = entries_[next_];
    next_ = (next_ + 1) % kEntries;
    entry.used = true;
    entry.text.assign(text);
    entry.max_output = max_output;
    entry.result.assign(result);
  }

 private:
  static constexpr size_t kEntries = 16;
  struct Entry {
    bool used = false;
    std::string text;
    size_t max_output = 0;
    std::string result;
  };
  Entry entries_[kEntries];
  size_t next_ = 0;
};

Memo& RecentResults() {
  static Memo memo;
  return memo;
}

void ScrubUncached(std::string_view text, size_t max_output, std::string& out);

}  // namespace

void Scrub(std::string_view text, size_t max_output, std::string& out) {
  if (text.size() > Memo::kLongestText) return ScrubUncached(text, max_output, out);
  Memo& memo = RecentResults();
  if (const std::string* known = memo.Find(text, max_output)) {
    out.append(*known);
    return;
  }
  const size_t start = out.size();
  ScrubUncached(text, max_output, out);
  memo.Keep(text, max_output, std::string_view(out).substr(start));
}

namespace {

void ScrubUncached(std::string_view text, size_t max_output, std::string& out) {
  std::string_view window = text;
  bool cut = false;
  if (text.size() > WindowFor(max_output)) {
    window = text.substr(0, normalize::Utf8Boundary(text, WindowFor(max_output)));
    cut = true;
  }
  static std::string scanned, again;
  scanned.clear();
  Tables& tables = ReusedTables();
  tables.Build(window);
  Scan(window, scanned, tables).Run();
  if (cut) {
    // The window may have cut something in two, and half a secret is still a secret: drop what
    // the window's last 64 bytes began (a card or an IBAN in groups, a phone number with spaces),
    // back to a space, unless it is far longer than any secret (then it is kept, and cut).
    constexpr size_t kLongestSecret = 1024;
    constexpr size_t kLongestGrouped = 64;
    size_t keep = scanned.size() > kLongestGrouped ? scanned.size() - kLongestGrouped : 0;
    while (keep > 0 && (IsContinuation(scanned[keep]) || !IsSpace(scanned[keep - 1]))) --keep;
    if (scanned.size() - keep <= kLongestSecret + kLongestGrouped) scanned.resize(keep);
  }
  if (scanned.size() > max_output) {
    scanned.resize(normalize::Utf8Boundary(scanned, max_output));
    cut = true;
  }
  // A cut can leave the start of something a rule matches ("G://" cut to "G:/" reads as a drive):
  // what is kept is scrubbed again until nothing changes, so scrubbing the result changes nothing.
  constexpr int kMaxPasses = 4;
  for (int pass = 0; cut && pass < kMaxPasses; ++pass) {
    again.clear();
    tables.Build(scanned);
    Scan(scanned, again, tables).Run();
    if (again.size() > max_output) again.resize(normalize::Utf8Boundary(again, max_output));
    if (again == scanned) break;
    scanned.swap(again);
  }
  out.append(scanned);
  json_out::ReleaseIfLarge(scanned);
  json_out::ReleaseIfLarge(again);
}

}  // namespace

bool Changes(std::string_view text) {
  static std::string scrubbed;
  scrubbed.clear();
  // Room for every placeholder: the window then holds the whole text and nothing is cut.
  Scrub(text, 2 * text.size() + 64, scrubbed);
  return scrubbed != text;
}

}  // namespace phonehome::scrub
