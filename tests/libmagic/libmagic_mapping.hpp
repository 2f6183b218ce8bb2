#pragma once
// The mapping from libmagic's verdict (description and MIME type, `file
// --brief` and `file --brief --mime-type`) to regcensus's families and kinds
// (docs/file-types.md, "From libmagic's descriptions"), used by the libmagic
// comparison. Agreement is counted plainly: a different name is a mismatch.
#include <string_view>

#include "regcensus/layer/file_type.hpp"

namespace regcensus::libmagic {

FileType category_of(std::string_view description, std::string_view mime);

}  // namespace regcensus::libmagic
