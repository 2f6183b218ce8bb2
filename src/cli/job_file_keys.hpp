#pragma once
// The keys a job file (`--config FILE`) may hold: the long option names of
// every subcommand that reads job files (run, plan, merge, status, crawl). One
// file serves them all, so a key one subcommand does not take is skipped by
// it, but a key no subcommand takes (`plaform = ...`) is refused: a typo must
// not silently fall back to a default. A new option of those subcommands is
// added here (tests/integration/test_cli_refusals.py checks the list against
// their --help).
#include <string>
#include <string_view>

namespace regcensus::cli {

bool is_job_file_key(std::string_view key);

// The known key closest to `key` (a typo's likely intent), or "" when none is close.
std::string closest_job_file_key(std::string_view key);

}  // namespace regcensus::cli
