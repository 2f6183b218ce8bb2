#pragma once
// The content rules for text files without a `#!` line: which language (or
// document) libmagic 5.44 would name, from the same evidence its text rules
// use (the `package`, `import`, `#include`, `use strict` … lines of the first
// 8 KiB). The rules, their order and their measured agreement are in
// docs/file-types.md.
#include <string_view>

#include "regcensus/layer/file_type.hpp"

namespace regcensus::layer {

// `text` is the probe of a file already known to be text (valid UTF-8, no NUL).
FileType classify_text_content(std::string_view text);

}  // namespace regcensus::layer
