#pragma once
// The mapping from libmagic's verdict (description and MIME type, `file
// --brief` and `file --brief --mime-type`) to regcensus's file-type
// categories (docs/file-types.md), used by the libmagic comparison. The rules
// and the reasons for them are listed in docs/layer-analysis.md, "The libmagic
// comparison".
#include <string_view>

#include "regcensus/layer/file_type.hpp"

namespace regcensus::libmagic {

FileType category_of(std::string_view description, std::string_view mime);

// Whether our category agrees with libmagic's: equal, or one of the
// refinements libmagic cannot express (markdown is text to libmagic).
bool agrees(FileType ours, FileType theirs);

}  // namespace regcensus::libmagic
