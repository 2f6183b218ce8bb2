#pragma once
// The /storage section of `regcensus report` (docs/report.md, docs/storage.md).
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus {

// Text lines after the report's own; nothing when the file has no /storage.
void print_storage_text(const h5::Location& file);
// The member "storage" of the report's JSON object (open in `json`); nothing without /storage.
void storage_json(const h5::Location& file, JsonWriter& json);

}  // namespace regcensus
