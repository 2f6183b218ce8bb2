#pragma once
// One `regcensus run` (and its parts, `plan` and `merge`): plan (resolve images,
// cut layer shards; saved once in the work directory), analyse (shards taken
// dynamically, each written atomically), merge (results.h5 from the shards).
#include <cstdint>

#include "regcensus/census/census_plan.hpp"
#include "regcensus/census/run_options.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus {

// The shard size when none is given: about 8 shards per rank so that dynamic
// scheduling can balance, within [16 MiB, 1 GiB] so that shard files stay few
// on big censuses and not absurdly small on tiny ones.
int64_t automatic_shard_bytes(int64_t total_compressed_bytes, int ranks);

// Collective. Each returns the process exit code.
int run_census(const CensusOptions& options, const mpi::Communicator& comm);
int plan_census(const CensusOptions& options, const mpi::Communicator& comm);
int merge_census(const CensusOptions& options, const mpi::Communicator& comm);

}  // namespace regcensus
