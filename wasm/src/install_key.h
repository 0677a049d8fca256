// install_key.h: the name an install's daily counter goes by (install_writes in schema.sql).
//
// The counters limit what one install may write a day without holding its id: the key is 64 bits
// of two MurmurHash3_x86_32 passes (seeds 0x70686f6e and 0x65686f6d) over the id's UTF-8, as 16
// lower-case hex digits. worker/storage.js computes the same key in JavaScript for POST
// /v1/forget and queued rows; tests hold the two to the same answers. It is not secret: whoever
// holds an id can compute its key.
#ifndef PHONEHOME_INSTALL_KEY_H
#define PHONEHOME_INSTALL_KEY_H

#include <cstdint>
#include <string_view>

namespace phonehome {

// MurmurHash3_x86_32 of `bytes`.
uint32_t MurmurHash3x86(std::string_view bytes, uint32_t seed);

// InstallKey() is the 64-bit key of an install id, high word first as written in hex.
uint64_t InstallKey(std::string_view install_id);

}  // namespace phonehome

#endif  // PHONEHOME_INSTALL_KEY_H
