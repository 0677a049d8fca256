// forget.cpp: the spellings of an install id that POST /v1/forget deletes (forget.h).
#include "forget.h"

#include "field_check.h"
#include "install_key.h"
#include "json_out.h"
#include "json_tree.h"
#include "normalize.h"
#include "report.h"
#include "scalar.h"

namespace phonehome::forget {
namespace {

// Utf16Units() is the length JavaScript gives a string with this (valid) UTF-8: one unit per code
// point, two for those above U+FFFF (four-byte sequences).
size_t Utf16Units(std::string_view text) {
  size_t units = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte & 0xC0) != 0x80) ++units;
    if (byte >= 0xF0) ++units;
  }
  return units;
}

// A forget body is one small object: nothing in it needs depth.
constexpr unsigned kMaxDepth = 8;

}  // namespace

bool Forms(const catalogue::Catalogue& catalogue, std::string_view body, std::vector<Form>& out) {
  out.clear();
  json_tree::Value root;
  std::string error;
  if (!json_tree::Parse(body, root, error, kMaxDepth)) return false;
  if (root.type != json_tree::Value::Type::Object) return false;
  const json_tree::Value* id = root.Find("install_id");
  if (id == nullptr || id->type != json_tree::Value::Type::String) return false;
  if (Utf16Units(id->text) > kMaxInstallIdUnits) return false;
  std::string clean;
  if (normalize::CleanView(id->text, clean).empty()) return false;

  // Each install_id field checks the id exactly as it checks a value an SDK sends; what it would
  // store is one form. Fields of one kind and bounds answer alike, and repeats are dropped.
  JsonScalar value;
  value.type = JsonScalar::Type::String;
  value.text = id->text;
  field_check::Buffers buffers;
  std::string stored;
  json_tree::Value text;
  for (uint16_t p = 0; p < catalogue.product_count; ++p) {
    const catalogue::ProductSpec& product = catalogue.products[p];
    for (uint16_t e = 0; e < product.event_count; ++e) {
      const catalogue::EventSpec& event = product.events[e];
      for (uint16_t f = 0; f < event.field_count; ++f) {
        const catalogue::FieldSpec& field = event.fields[f];
        if (field.column != catalogue::Column::InstallId) continue;
        stored.clear();
        const field_check::Checked checked = field_check::Check(field, field.kind, value, field_check::Place{}, buffers, stored);
        if (checked.outcome != field_check::Outcome::Stored) continue;
        // The stored text is a JSON string (an install id column holds strings only).
        if (!json_tree::Parse(stored, text, error) || text.type != json_tree::Value::Type::String) continue;
        bool seen = false;
        for (const Form& form : out) seen = seen || form.install_id == text.text;
        if (!seen) out.push_back(Form{text.text, InstallKey(text.text)});
      }
    }
  }
  return true;
}

std::string AnswerJson(const catalogue::Catalogue& catalogue, std::string_view body) {
  std::vector<Form> forms;
  if (!Forms(catalogue, body, forms)) return R"({"error":"invalid_forget_request"})";
  std::string out = R"({"forms":[)";
  for (size_t i = 0; i < forms.size(); ++i) {
    out.append(i == 0 ? R"({"install_id":)" : R"(,{"install_id":)");
    json_out::AppendString(out, forms[i].install_id);
    out.append(R"(,"install_key":")");
    AppendHex64(out, forms[i].install_key);
    out.append("\"}");
  }
  out.append("]}");
  return out;
}

}  // namespace phonehome::forget
