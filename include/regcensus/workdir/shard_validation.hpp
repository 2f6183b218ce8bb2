#pragma once
// Shard files are checked before a resume, a merge or --retry-failed trusts
// them: a bad one (a disk error, a hand edit, a file of another plan) is moved
// aside to WORK/shards/bad/ and counts as not done, so it is redone, never fatal.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/census/census_plan.hpp"
#include "regcensus/census/run_log.hpp"

namespace regcensus {

// Rank 0 only (not collective): validates the existing shard files of `plan`,
// all of them or those in `only` (sorted), and moves each bad one aside with
// one log line. Returns the ids moved aside.
std::vector<int64_t> set_aside_invalid_shards(const CensusPlan& plan, const std::string& work_dir,
                                              const std::optional<std::vector<int64_t>>& only, const RunLog& log);

}  // namespace regcensus
