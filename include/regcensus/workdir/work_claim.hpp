#pragma once
// The start of `run`, `plan` and `merge` on a work directory: it must exist
// when the command continues one, rank 0 takes its lock (work_lock.hpp), and
// under an exclusive lock the temporaries of killed runs are removed. A refusal
// (no such directory, held by another process) is known to every rank at once:
// rank 0 throws it (the one error line of the job), the others see refused().
#include <string>

#include "regcensus/mpi/communicator.hpp"
#include "regcensus/census/run_log.hpp"
#include "regcensus/workdir/work_lock.hpp"

namespace regcensus {

struct WorkClaimRequest {
    std::string work_dir;
    std::string out_path;   // its leftover temporaries are removed too
    WorkLockMode mode = WorkLockMode::exclusive;
    bool must_exist = false;  // merge, --shards, --resume: continue a work directory, never make one
    bool needs_plan = false;  // merge, --shards: and its plan file must open
    std::string command;      // recorded in the lock file
};

class WorkClaim {
public:
    // Collective.
    WorkClaim(const WorkClaimRequest& request, const mpi::Communicator& comm, const RunLog& log);
    bool refused() const { return refused_; }

private:
    WorkLock lock_;  // rank 0's, for the claim's lifetime
    bool refused_ = false;
};

}  // namespace regcensus
