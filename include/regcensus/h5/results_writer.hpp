#pragma once
// Writes results.h5 as fixed by docs/results-format.md: a temporary file in the
// same directory, renamed over the target only when complete, so a job killed
// at any moment leaves either the old file or the whole new one.
#include <string>

#include "regcensus/pipeline/census_results.hpp"

namespace regcensus {

inline constexpr int64_t kResultsFormatVersion = 1;

void write_results(const CensusResults& results, const std::string& path);

}  // namespace regcensus
