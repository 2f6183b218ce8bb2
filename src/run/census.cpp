#include "regcensus/run/census.hpp"

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "regcensus/analyse/analysis_phase.hpp"
#include "regcensus/census/phase_peak.hpp"
#include "regcensus/census/run_log.hpp"
#include "regcensus/merge/merge_phase.hpp"
#include "regcensus/plan/plan_phase.hpp"
#include "regcensus/plan/storage_image_list.hpp"
#include "regcensus/util/log.hpp"
#include "regcensus/util/stop_signal.hpp"
#include "regcensus/util/utc_timestamp.hpp"
#include "regcensus/workdir/shard_validation.hpp"
#include "regcensus/workdir/work_claim.hpp"

namespace regcensus {
namespace {

// /provenance states what the file holds: the plan's parameters win over this
// command's (which the command_line attribute records as typed).
MergeOptions merge_options(const CensusOptions& options, const CensusPlan& plan, const mpi::Communicator& comm) {
    MergeOptions m;
    m.work_dir = options.work_dir;
    m.out_path = options.out_path;
    m.top_rows = options.top_rows;
    m.memory_per_rank = options.memory_per_rank;
    m.files = options.files || options.files_copy;
    m.files_copy = options.files_copy;
    m.stop_requested = [] { return stop_requested(); };
    auto parameters = options.parameters;
    for (const auto& [name, value] : plan.parameters) parameters[name] = value;
    if (!plan.accepted_differences.empty()) parameters["accepted_plan_differences"] = plan.accepted_differences;
    m.provenance = {REGCENSUS_VERSION, utc_timestamp(), options.command_line, comm.size(), std::move(parameters)};
    return m;
}

WorkClaimRequest claim_request(const CensusOptions& options, WorkLockMode mode, bool must_exist,
                               bool needs_plan = false) {
    return {options.work_dir, options.out_path, mode, must_exist, needs_plan, options.command_line};
}

}  // namespace

int plan_census(const CensusOptions& given, const mpi::Communicator& comm) {
    // First: a stop (SIGUSR2 from regcensus-mpirun included) must never find the default action.
    install_stop_signal_handlers();
    RunLog log(comm);
    const WorkClaim claim(claim_request(given, WorkLockMode::exclusive, false), comm, log);
    if (claim.refused()) return 1;
    const CensusOptions options = with_storage_image_list(given, comm, log);
    const StoreFactory stores(options);
    PhasePeak plan_phase("plan", comm, log);
    CensusPlan plan;
    if (const int code = obtain_plan_or_exit_code(plan, options, stores, comm, log, false, "rerun to plan again"))
        return code;
    describe_plan(plan, log);
    plan_phase.end();
    if (comm.is_root()) std::printf("shards %zu\n", plan.shards.size());
    return 0;
}

int run_census(const CensusOptions& given, const mpi::Communicator& comm) {
    install_stop_signal_handlers();
    RunLog log(comm);
    // Array tasks of one plan share the work directory; a whole run owns it.
    const bool continues = given.shards.has_value() || (given.resume && !std::filesystem::exists(given.work_dir));
    const WorkClaim claim(
        claim_request(given, given.shards ? WorkLockMode::shared : WorkLockMode::exclusive, continues,
                      given.shards.has_value()),
        comm, log);
    if (claim.refused()) return 1;
    const bool earlier_run = std::filesystem::exists(plan_path(given.work_dir));
    if (earlier_run && !given.resume && !given.shards && !given.retry_failed)
        throw std::runtime_error("the work directory " + given.work_dir +
                                 " holds an earlier run: pass --resume to continue it, or choose a new --work");
    const CensusOptions options = with_storage_image_list(given, comm, log);
    auto stores = std::make_shared<StoreFactory>(options);
    PhasePeak plan_phase("plan", comm, log);
    CensusPlan plan;
    if (const int code = obtain_plan_or_exit_code(plan, options, *stores, comm, log, options.shards.has_value(),
                                                  "rerun with --resume to continue"))
        return code;
    describe_plan(plan, log);
    plan_phase.end();
    if (comm.is_root()) set_aside_invalid_shards(plan, options.work_dir, options.shards, log);
    comm.barrier();

    AnalysisOptions analysis;
    analysis.work_dir = options.work_dir;
    analysis.limits = options.limits;
    analysis.concurrency = options.concurrency;
    analysis.shards = options.shards;
    analysis.retry_failed = options.retry_failed;
    analysis.progress_seconds = options.progress_seconds;
    analysis.open_store = [stores] { return stores->open(); };
    PhasePeak analyse_phase("analyse", comm, log);
    auto outcome = analyse_shards(plan, analysis, comm, log);
    log.root("analyse: %lld shard(s) written", (long long)comm.sum(outcome.shards_analysed));
    analyse_phase.end();
    if (options.from_registry()) {
        const TransferCounts counts = stores->counts();
        // How well connections were reused: a request per connection would mean none were.
        const auto totals = comm.sum(std::vector<int64_t>{counts.transfers, counts.connections});
        log.root("registry: %lld requests over %lld connection(s) on %d rank(s)", (long long)totals[0],
                 (long long)totals[1], comm.size());
    }
    if (const auto retries = comm.sum(retries_counted()); retries > 0)
        log.root("retries: %lld request(s) retried (each one is a debug line: -v shows them)", (long long)retries);
    if (outcome.interrupted) {
        log.root("stopped by a signal: finished shards are saved; rerun with --resume to continue");
        return kExitIncomplete;
    }
    if (options.shards) {
        log.root("shards %s done; `regcensus merge` writes the results", format_shard_list(*options.shards).c_str());
        return 0;
    }
    return merge_shards(plan, merge_options(options, plan, comm), comm, log);
}

int merge_census(const CensusOptions& options, const mpi::Communicator& comm) {
    install_stop_signal_handlers();
    RunLog log(comm);
    const WorkClaim claim(claim_request(options, WorkLockMode::exclusive, true, true), comm, log);
    if (claim.refused()) return 1;
    const StoreFactory stores(options);
    auto plan = obtain_plan(options, stores, comm, log, true);
    return merge_shards(plan, merge_options(options, plan, comm), comm, log);
}

}  // namespace regcensus
