#pragma once
// The /storage section of `regcensus report` (docs/report.md, docs/storage.md).
#include "regcensus/h5/h5_location.hpp"

namespace regcensus::cli {

// Text lines after the report's own; nothing when the file has no /storage.
void print_storage_text(const h5::Location& file);
// `,\n "storage": {...}` as one more member of the report's JSON object; nothing without /storage.
void print_storage_json(const h5::Location& file);

}  // namespace regcensus::cli
