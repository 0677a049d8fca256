// describe.h: the texts of ph_layout_json() and ph_describe_json() (abi.h), built once.
#ifndef PHONEHOME_ABI_DESCRIBE_H
#define PHONEHOME_ABI_DESCRIBE_H

#include <string>

namespace phonehome::abi {

// LayoutJson() describes struct ph_request, ph_result and ph_chunk from sizeof and offsetof.
const std::string& LayoutJson();

// DescribeJson() is what the core declares once and the shim reads instead of keeping copies:
// the status codes (status.def), the row columns, the field kinds, the row chunk size, the limits.
const std::string& DescribeJson();

}  // namespace phonehome::abi

#endif  // PHONEHOME_ABI_DESCRIBE_H
