#pragma once
// The options of `run`, `plan` and `merge`, parsed once for all three: the same
// long names on the command line and as `key = value` lines of a job file
// (`--config FILE`, Boost.Program_options config syntax); the command line wins.
#include <optional>

#include "regcensus/run/census.hpp"

namespace regcensus::cli {

enum class CensusCommand { run, plan, merge };

// Returns nothing when --help was printed. Throws on bad options.
std::optional<CensusOptions> parse_census_options(int argc, char** argv, CensusCommand command);

}  // namespace regcensus::cli
