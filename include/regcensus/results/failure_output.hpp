#pragma once
// `report --failures` and `status --failures`: every failed image and layer,
// one line each, or one JSON object (failure_list.hpp) with --json.
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/results/failure_list.hpp"

namespace regcensus {

// The failed rows of a results file's /images and /layers.
FailureList read_failures(const h5::File& results);

// Prints the list (text: a count line, then one line per failed row); returns 0.
int print_failures(const FailureList& failures, bool json);

}  // namespace regcensus
