#pragma once
// The reduce: results.h5 from the plan and the shard files alone, so a one-shot
// run, a resumed run and `regcensus merge` after a Slurm array produce the same
// datasets. Ranks read shards round-robin; profiles go to rank 0, content
// records to their owner rank by hash.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "regcensus/mpi/communicator.hpp"
#include "regcensus/census/census_plan.hpp"
#include "regcensus/results/census_results.hpp"
#include "regcensus/census/run_log.hpp"

namespace regcensus {

struct MergeOptions {
    std::string work_dir;
    std::string out_path;
    std::size_t top_rows = 1000;
    std::size_t memory_per_rank = std::size_t{2} << 30;
    bool files = false;       // write /files
    bool files_copy = false;  // /files copied into the results file, not joined from pieces
    // Asked before anything is written (all ranks agree): true ends the merge
    // with exit 75 and no results file (a stop signal; the caller wires it).
    std::function<bool()> stop_requested;
    RunProvenance provenance;
};

// Shards of the plan with no shard file, as known to rank 0 (empty elsewhere).
std::vector<int64_t> missing_shards(const CensusPlan& plan, const std::string& work_dir);

// Collective. Shard files that do not validate are moved aside first and count
// as missing. Returns 0, 3 when shards are missing, or 75 when stopped (nothing
// is written then).
int merge_shards(const CensusPlan& plan, const MergeOptions& options, const mpi::Communicator& comm,
                 const RunLog& log);

}  // namespace regcensus
