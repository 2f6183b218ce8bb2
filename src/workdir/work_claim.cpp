#include "regcensus/workdir/work_claim.hpp"

#include <filesystem>
#include <stdexcept>

#include "regcensus/census/census_plan.hpp"

namespace fs = std::filesystem;

namespace regcensus {
namespace {

// Rank 0's part: the reason of a refusal, or nothing.
std::string claim_on_root(const WorkClaimRequest& request, WorkLock& lock, const RunLog& log) {
    try {
        if (request.must_exist && !fs::is_directory(request.work_dir))
            return fs::exists(request.work_dir) ? request.work_dir + ": not a directory"
                                                : request.work_dir + ": no such work directory";
        if (request.needs_plan) check_plan_file(request.work_dir);
        fs::create_directories(request.work_dir);
        lock = WorkLock::acquire(request.work_dir, request.mode, request.command);
        if (!lock.warning().empty()) log.root("%s", lock.warning().c_str());
        if (request.mode == WorkLockMode::exclusive)
            if (const auto removed = remove_leftover_temporaries(request.work_dir, request.out_path))
                log.root("removed %zu temporary file(s) left by a killed run", removed);
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

}  // namespace

WorkClaim::WorkClaim(const WorkClaimRequest& request, const mpi::Communicator& comm, const RunLog& log) {
    std::string refusal;
    if (comm.is_root()) refusal = claim_on_root(request, lock_, log);
    const auto shared = comm.broadcast(std::vector<char>(refusal.begin(), refusal.end()));
    if (shared.empty()) return;
    refused_ = true;
    if (comm.is_root()) throw std::runtime_error(refusal);
}

}  // namespace regcensus
