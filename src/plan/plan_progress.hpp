#pragma once
// Progress lines of the plan phase, like the analysis's: every
// --progress seconds rank 0 prints the images resolved over all ranks, the
// percentage, the rate and the time left:
//   plan: images 1200/24000 (5.0%), 31 failed, 40.2 images/s, ETA 567s
// Each rank posts its counts without waiting (mpi::ProgressSum); finish() is
// collective.
#include <cstdint>
#include <vector>

#include "regcensus/mpi/progress_sum.hpp"

namespace regcensus {

class PlanProgress {
public:
    PlanProgress(const mpi::Communicator& comm, double every_seconds, int64_t total_images);
    // After each image this rank resolved (failed: its rows were not ok).
    void resolved(bool failed);
    void finish();

private:
    void print(const std::vector<int64_t>& totals) const;
    double seconds() const;

    const mpi::Communicator& comm_;
    mpi::ProgressSum sum_;
    double every_, next_;
    int64_t total_;
    std::vector<int64_t> mine_{0, 0};
    double start_;
};

}  // namespace regcensus
