#pragma once
// The analyse phase: ranks take shards dynamically (a shared counter), worker
// threads of each rank analyse the shard's layers, and the rank's main thread
// writes each finished shard file and reports progress. Only the main thread
// calls MPI and HDF5.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/census/census_plan.hpp"
#include "regcensus/census/run_log.hpp"
#include "regcensus/registry/image_store.hpp"

namespace regcensus {

struct AnalysisOptions {
    std::string work_dir;
    LayerLimits limits;
    int concurrency = 1;                          // layers analysed at once per rank
    std::optional<std::vector<int64_t>> shards;   // only these; all when empty
    bool retry_failed = false;                    // redo layers whose status is retryable
    double progress_seconds = 10;
    std::function<std::unique_ptr<ImageStore>()> open_store;  // one store per worker thread
};

struct AnalysisOutcome {
    bool interrupted = false;  // a stop signal arrived on some rank; shards are left to a rerun
    int64_t shards_analysed = 0;
};

// Collective. Finished shards are never analysed again.
AnalysisOutcome analyse_shards(const CensusPlan& plan, const AnalysisOptions& options,
                               const mpi::Communicator& comm, const RunLog& log);

}  // namespace regcensus
