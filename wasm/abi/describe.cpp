// describe.cpp: the module's description of its own layouts and facts (abi.h: ph_layout_json,
// ph_describe_json), so the JS shim keeps no copy of anything the core declares.
#include "describe.h"

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "abi.h"
#include "catalogue.h"
#include "json_out.h"
#include "phonehome/core.h"

namespace phonehome::abi {
namespace {

// TypeName() names a field's type as the loader reads it.
template <typename T>
constexpr std::string_view TypeName() {
  if constexpr (std::is_pointer_v<T>) return "ptr";
  else if constexpr (std::is_same_v<T, uint32_t>) return "u32";
  else if constexpr (std::is_same_v<T, uint64_t>) return "u64";
  else if constexpr (std::is_same_v<T, double>) return "f64";
  else static_assert(!sizeof(T), "a field type the layout cannot name");
}

void Field(std::string& out, bool& first, std::string_view name, size_t offset, size_t size, std::string_view type) {
  out.append(first ? "" : ",");
  first = false;
  json_out::AppendString(out, name);
  out.append(":{\"offset\":");
  json_out::AppendUint(out, offset);
  out.append(",\"size\":");
  json_out::AppendUint(out, size);
  out.append(",\"type\":");
  json_out::AppendString(out, type);
  out.push_back('}');
}

#define PH_FIELD(type, name) \
  Field(out, first, #name, offsetof(type, name), sizeof(type::name), TypeName<decltype(type::name)>())

// The loader reads the result as uint32 words and the request's double with a Float64Array: keep
// the layouts so.
static_assert(sizeof(ph_result) == 16 * 4 && alignof(ph_result) == 4, "ph_result is uint32 fields only");
static_assert(sizeof(ph_chunk) == 3 * 4, "ph_chunk is three uint32");
static_assert(offsetof(ph_request, received_at_ms) % 8 == 0 && offsetof(ph_request, nonce) % 8 == 0);

}  // namespace

const std::string& LayoutJson() {
  static const std::string json = [] {
    std::string out = "{\"ph_request\":{\"size\":";
    json_out::AppendUint(out, sizeof(ph_request));
    out.append(",\"fields\":{");
    bool first = true;
    PH_FIELD(ph_request, product);
    PH_FIELD(ph_request, product_length);
    PH_FIELD(ph_request, event);
    PH_FIELD(ph_request, event_length);
    PH_FIELD(ph_request, body);
    PH_FIELD(ph_request, body_length);
    PH_FIELD(ph_request, sent_at);
    PH_FIELD(ph_request, sent_at_length);
    PH_FIELD(ph_request, received_at_ms);
    PH_FIELD(ph_request, nonce);
    PH_FIELD(ph_request, flags);
    out.append("}},\"ph_result\":{\"size\":");
    json_out::AppendUint(out, sizeof(ph_result));
    out.append(",\"fields\":{");
    first = true;
    PH_FIELD(ph_result, outcome);
    PH_FIELD(ph_result, event_count);
    PH_FIELD(ph_result, row_count);
    PH_FIELD(ph_result, rows_offset);
    PH_FIELD(ph_result, rows_length);
    PH_FIELD(ph_result, response_offset);
    PH_FIELD(ph_result, response_length);
    PH_FIELD(ph_result, accepted_offsets_offset);
    PH_FIELD(ph_result, chunk_count);
    PH_FIELD(ph_result, chunks_offset);
    PH_FIELD(ph_result, rejections_offset);
    PH_FIELD(ph_result, rejections_length);
    PH_FIELD(ph_result, row_installs_offset);
    PH_FIELD(ph_result, row_installs_length);
    PH_FIELD(ph_result, install_counts_offset);
    PH_FIELD(ph_result, install_counts_length);
    out.append("}},\"ph_chunk\":{\"size\":");
    json_out::AppendUint(out, sizeof(ph_chunk));
    out.append(",\"fields\":{");
    first = true;
    PH_FIELD(ph_chunk, offset);
    PH_FIELD(ph_chunk, length);
    PH_FIELD(ph_chunk, first_row);
    out.append("}}}");
    return out;
  }();
  return json;
}

#undef PH_FIELD

const std::string& DescribeJson() {
  static const std::string json = [] {
    struct StatusInfo {
      std::string_view name;
      std::string_view scope;
      uint32_t http;
      std::string_view meaning;
    };
    static constexpr StatusInfo kStatuses[] = {
#define PH_STATUS(name, scope, http, meaning) {#name, #scope, http, meaning},
#include "phonehome/status.def"
#undef PH_STATUS
    };
    std::string out = "{\"abi_version\":";
    json_out::AppendUint(out, PH_ABI_VERSION);
    out.append(",\"statuses\":[");
    uint32_t code = 0;
    for (const auto& s : kStatuses) {
      out.append(code == 0 ? "{\"code\":" : ",{\"code\":");
      json_out::AppendUint(out, code++);
      out.append(",\"name\":");
      json_out::AppendString(out, s.name);
      out.append(",\"scope\":");
      json_out::AppendString(out, s.scope);
      out.append(",\"http\":");
      json_out::AppendUint(out, s.http);
      out.append(",\"meaning\":");
      json_out::AppendString(out, s.meaning);
      out.push_back('}');
    }
    out.append("],\"row_columns\":[");
    bool first = true;
    for (const std::string_view column : kRowColumns) {
      out.append(first ? "" : ",");
      first = false;
      json_out::AppendString(out, column);
    }
    out.append("],\"field_kinds\":[");
    for (size_t k = 0; k < catalogue::kKindCount; ++k) {
      out.append(k == 0 ? "" : ",");
      json_out::AppendString(out, catalogue::KindName(static_cast<catalogue::Kind>(k)));
    }
    out.append("],\"max_row_chunk_bytes\":");
    json_out::AppendUint(out, kMaxRowChunkBytes);
    out.append(",\"limits\":");
    out.append(LimitsJson());
    out.push_back('}');
    return out;
  }();
  return json;
}

}  // namespace phonehome::abi
