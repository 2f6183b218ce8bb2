#pragma once
// The plan phase of a census: ranks share the image list and resolve it into
// image rows, the distinct layers are cut into shards, and the plan is saved
// once in the work directory. A rerun uses the saved plan as it is (with
// --retry-failed, image rows that failed for a retryable reason are resolved
// again and their new layers go into new shards).
#include <cstdint>

#include "regcensus/census/census_plan.hpp"
#include "regcensus/census/run_log.hpp"
#include "regcensus/census/run_options.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/plan/store_factory.hpp"

namespace regcensus {

// The shard size when none is given: about 8 shards per rank so that dynamic
// scheduling can balance, within [16 MiB, 1 GiB] so that shard files stay few
// on big censuses and not absurdly small on tiny ones.
int64_t automatic_shard_bytes(int64_t total_compressed_bytes, int ranks);

// Collective. The plan of the work directory, made if there is none (unless
// `must_exist`). A plan is never remade: reruns must see the same images and shards.
CensusPlan obtain_plan(const CensusOptions& options, const StoreFactory& stores, const mpi::Communicator& comm,
                       const RunLog& log, bool must_exist);

// Collective. obtain_plan for a command: 0 with `plan` set, or the exit code that
// ends the command instead (a stop signal while planning, a plan made for other
// parameters); `after_stop` ends the stop message.
int obtain_plan_or_exit_code(CensusPlan& plan, const CensusOptions& options, const StoreFactory& stores,
                             const mpi::Communicator& comm, const RunLog& log, bool must_exist,
                             const char* after_stop);

// One root log line: images resolved and failed, distinct layers, bytes, shards.
void describe_plan(const CensusPlan& plan, const RunLog& log);

}  // namespace regcensus
