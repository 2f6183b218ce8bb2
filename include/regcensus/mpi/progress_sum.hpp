#pragma once
// Non-blocking sums for progress lines: each rank posts its counters with
// MPI_Iallreduce when its own clock says so and tests for completion later, so
// no rank ever waits for another just to print a line. Collectives match by
// order, so `finish` first agrees on how many sums everyone posted.
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include <mpi.h>

#include "regcensus/mpi/communicator.hpp"

namespace regcensus::mpi {

class ProgressSum {
public:
    ProgressSum(const Communicator& comm, std::size_t width) : comm_(comm), width_(width) {}
    ~ProgressSum();
    ProgressSum(const ProgressSum&) = delete;
    ProgressSum& operator=(const ProgressSum&) = delete;

    void post(const std::vector<int64_t>& local);
    // The oldest posted sum, once complete.
    std::optional<std::vector<int64_t>> poll();
    // Collective: pads every rank to the same number of posts and waits for all.
    void finish(const std::vector<int64_t>& local);

private:
    struct Pending {
        std::vector<int64_t> send, receive;
        MPI_Request request = MPI_REQUEST_NULL;
    };
    const Communicator& comm_;
    std::size_t width_;
    std::deque<Pending> pending_;
    int64_t posted_ = 0;
};

}  // namespace regcensus::mpi
