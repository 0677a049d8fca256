// event_id.h: the dedup key of a stored event.
//
// An event's id is the 128-bit MurmurHash3 (x64_128, seed 0) of its product, event name and dedup
// values, each followed by its length, written as 32 hex digits. The same logical event always
// gets the same id, so a retried request lands once (the events table's key is event_id).
// MurmurHash3 is not a cryptographic hash; the id only has to be stable and collision-free in
// practice (2^-64 odds at billions of events), not secret. It reads 16 bytes per step with 64-bit
// multiplies, which Wasm has natively. Changing the hash, or what it covers, changes every id:
// events retried across such a deploy would be stored twice (docs/PROTOCOL.md).
#ifndef PHONEHOME_EVENT_ID_H
#define PHONEHOME_EVENT_ID_H

#include <cstdint>
#include <string>
#include <string_view>

namespace phonehome {

// MurmurHash3_x64_128 of `bytes`: out[0] is h1, out[1] is h2.
void MurmurHash3(std::string_view bytes, uint32_t seed, uint64_t out[2]);

class EventIdHasher {
 public:
  // Add() feeds one value; values are separated, so ("ab","c") and ("a","bc") differ.
  void Add(std::string_view bytes);
  void AddUint(uint64_t value);

  // Finish() hashes what was fed; high(), low() and AppendHex() read the result.
  void Finish();
  uint64_t high() const { return hash_[0]; }
  uint64_t low() const { return hash_[1]; }
  // AppendHex() writes the 32 lower-case hex digits of the hash.
  void AppendHex(std::string& out) const;
  // WriteHex() writes the same 32 digits at `out`.
  void WriteHex(char* out) const;

  // Reset() starts a new id, keeping the buffer's memory.
  void Reset() { input_.clear(); }

 private:
  std::string input_;
  uint64_t hash_[2] = {0, 0};
};

}  // namespace phonehome

#endif  // PHONEHOME_EVENT_ID_H
