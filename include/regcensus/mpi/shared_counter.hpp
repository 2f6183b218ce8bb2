#pragma once
// A job-wide counter in rank 0's memory, advanced with MPI one-sided
// fetch-and-add: ranks take work items dynamically without rank 0 having to
// serve requests, so one huge layer never stalls the rest of the job.
#include <cstdint>

#include <mpi.h>

#include "regcensus/mpi/communicator.hpp"

namespace regcensus::mpi {

class SharedCounter {
public:
    explicit SharedCounter(const Communicator& comm);  // collective
    ~SharedCounter();                                  // collective (MPI_Win_free)
    SharedCounter(const SharedCounter&) = delete;
    SharedCounter& operator=(const SharedCounter&) = delete;

    // Returns the counter's value before adding one.
    int64_t fetch_and_increment();

private:
    MPI_Win window_ = MPI_WIN_NULL;
    int64_t* base_ = nullptr;
};

}  // namespace regcensus::mpi
