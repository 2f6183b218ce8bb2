#pragma once
// One `regcensus run` (and its parts, `plan` and `merge`): the phases in order,
// plan (plan/plan_phase.hpp: resolve images, cut layer shards; saved once in
// the work directory), analyse (analyse/analysis_phase.hpp: shards taken
// dynamically, each written atomically), merge (merge/merge_phase.hpp:
// results.h5 from the shards).
#include <cstdint>

#include "regcensus/census/census_plan.hpp"
#include "regcensus/census/run_options.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus {

// Collective. Each returns the process exit code.
int run_census(const CensusOptions& options, const mpi::Communicator& comm);
int plan_census(const CensusOptions& options, const mpi::Communicator& comm);
int merge_census(const CensusOptions& options, const mpi::Communicator& comm);

}  // namespace regcensus
