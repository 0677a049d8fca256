// forget.h: what POST /v1/forget deletes. The body names an install id as its SDK sent it; the
// core answers every spelling under which a field of the loaded catalogue would have stored that
// id in the install_id column, so the Worker deletes by the core's own definition of a stored id
// instead of guessing it with regexes.
#ifndef PHONEHOME_FORGET_H
#define PHONEHOME_FORGET_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue.h"

namespace phonehome::forget {

// The most UTF-16 code units an install id may have, as JavaScript counts a string's length (the
// limit the Worker applied before the core decided).
inline constexpr size_t kMaxInstallIdUnits = 128;

// One spelling under which the id may be stored, and the key of its daily counter (install_key.h).
struct Form {
  std::string install_id;
  uint64_t install_key = 0;
};

// Forms() reads a forget body: a JSON object with a string member "install_id" (other members
// are ignored). It returns false, the body refused, when the body is not well-formed JSON in UTF-8
// (an unpaired \u surrogate included), is not an object, gives a key twice in one object (which of
// two ids would be meant?), or when "install_id" is missing, not a string, longer than
// kMaxInstallIdUnits UTF-16 units, or empty once cleaned as every stored string is
// (normalize::CleanView: control and invisible characters removed, ASCII white space trimmed).
// Otherwise `out` holds, without repeats and in the catalogue's order, the id as each install_id field of the catalogue would
// store it (field_check::Check: a uuid field its lower-case 8-4-4-4-12 form, a string field the
// cleaned text); a field that would refuse the id contributes nothing, so `out` may be empty.
bool Forms(const catalogue::Catalogue& catalogue, std::string_view body, std::vector<Form>& out);

// AnswerJson() is ph_forget's answer (abi.h) for a body: {"forms":[{"install_id":…,
// "install_key":"<16 hex digits>"},…]}, or {"error":"invalid_forget_request"}.
std::string AnswerJson(const catalogue::Catalogue& catalogue, std::string_view body);

}  // namespace phonehome::forget

#endif  // PHONEHOME_FORGET_H
