#pragma once
// The wall time and every rank's peak resident memory of one phase of a run,
// logged by rank 0 as one line (the benchmarks parse it):
//   phase union: 1.23 s, peak RSS per rank 54, 51 MiB
// ending " (peak since start)" when a rank could not reset its high-water mark.
// Construct at the phase's start (resets the mark), call end() where every
// rank finishes the phase: end() is a collective (one gather). It is not done
// in the destructor because an exception or early return on some ranks only
// would leave the others waiting in the gather. Phases may nest (union inside
// merge): the outer phase keeps the peak it had reached before the inner one
// reset the mark.
#include <chrono>
#include <cstdint>
#include <string>

#include "regcensus/mpi/communicator.hpp"

namespace regcensus {

class RunLog;

class PhasePeak {
public:
    PhasePeak(std::string name, const mpi::Communicator& comm, const RunLog& log);
    ~PhasePeak();
    PhasePeak(const PhasePeak&) = delete;
    PhasePeak& operator=(const PhasePeak&) = delete;

    void end();

private:
    std::string name_;
    const mpi::Communicator& comm_;
    const RunLog& log_;
    std::chrono::steady_clock::time_point start_;
    bool reset_ = false;
    int64_t carried_kib_ = 0;  // the peak before a nested phase reset the mark
    PhasePeak* outer_ = nullptr;
    bool ended_ = false;
};

}  // namespace regcensus
