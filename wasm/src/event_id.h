// event_id.h: the dedup key of a stored event.
//
// An event's id is the 128-bit FNV-1a hash of its product, event name and dedup values, written as
// 32 hex digits. The same logical event always gets the same id, so a retried request lands once
// (the events table has a unique index on event_id). FNV-1a is not a cryptographic hash; the id
// only has to be stable and collision-free in practice (2^-64 odds at billions of events), not
// secret.
#ifndef PHONEHOME_EVENT_ID_H
#define PHONEHOME_EVENT_ID_H

#include <cstdint>
#include <string>
#include <string_view>

namespace phonehome {

class EventIdHasher {
 public:
  // Add() feeds one value; values are separated, so ("ab","c") and ("a","bc") differ.
  void Add(std::string_view bytes);
  void AddUint(uint64_t value);

  // AppendHex() writes the 32 lower-case hex digits of the hash.
  void AppendHex(std::string& out) const;

  uint64_t high() const { return high_; }
  uint64_t low() const { return low_; }

 private:
  void AddByte(uint8_t byte);

  // The 128-bit state as two halves (ISO C++ has no 128-bit integer), from the FNV-128 offset basis.
  uint64_t high_ = 0x6c62272e07bb0142ULL;
  uint64_t low_ = 0x62b821756295c58dULL;
};

}  // namespace phonehome

#endif  // PHONEHOME_EVENT_ID_H
