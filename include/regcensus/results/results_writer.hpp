#pragma once
// Writes results.h5 as fixed by docs/results-file.md: a temporary file in the
// same directory, checked to its close and renamed over the target only when
// complete, so a job killed at any moment or a full disk leaves either the old
// file or the whole new one (h5::write_atomically; throws "cannot write PATH: cause").
#include <string>

#include "regcensus/results/census_results.hpp"

namespace regcensus {

inline constexpr int64_t kResultsFormatVersion = 2;  // version 2: docs/union-view.md

void write_results(const CensusResults& results, const std::string& path);

}  // namespace regcensus
