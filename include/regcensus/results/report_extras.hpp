#pragma once
// The sections of `regcensus report` beyond the headline numbers
// (docs/execution-environment.md, docs/report.md): dataset tables, execution
// environment, build instructions, dedup by file type and layer ages in days.
// Each appears only when the results file has its datasets. analysis/extras.py
// computes the very same numbers.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/h5/h5_location.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus {

// The build instruction of a history `created_by`: the first word after
// `/bin/sh -c` (`#(nop)` skipped; a shell command without it is RUN), or the
// first word of BuildKit's form, upper-cased; "(unknown)" when empty, "(other)"
// when that word is not a keyword.
std::string build_instruction(std::string_view created_by);

// Values of a distribution the headline table adds (units "days").
struct ExtraDistribution {
    std::string name, label;
    std::vector<int64_t> values;
};

// Layer ages in whole days before the census (root attribute created_utc),
// floored: from /layers/history_created and from /layers/mtime_max, ok layers only.
std::vector<ExtraDistribution> layer_age_distributions(const h5::File& file);

struct ReportExtras {
    std::string text;  // the sections of the text report
};

// The family of every /filetypes row: its `family` column, or the name before
// '/' in files written before that column existed.
std::vector<std::string> file_type_families(const h5::Location& filetypes);

// Writes the sections' members into `json` (an open object) and returns their text.
// kinds: the text shows file-type categories (family/kind) instead of families.
ReportExtras report_extras(const h5::File& file, JsonWriter& json, bool kinds = false);

}  // namespace regcensus
