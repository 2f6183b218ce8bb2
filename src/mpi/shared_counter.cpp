#include "regcensus/mpi/shared_counter.hpp"

#include <stdexcept>

namespace regcensus::mpi {

SharedCounter::SharedCounter(const Communicator& comm) {
    const MPI_Aint bytes = comm.is_root() ? sizeof(int64_t) : 0;
    if (MPI_Win_allocate(bytes, sizeof(int64_t), MPI_INFO_NULL, comm.native(), &base_, &window_) != MPI_SUCCESS)
        throw std::runtime_error("MPI_Win_allocate failed");
    if (comm.is_root()) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, window_);
        *base_ = 0;
        MPI_Win_unlock(0, window_);
    }
    comm.barrier();
}

SharedCounter::~SharedCounter() {
    if (window_ != MPI_WIN_NULL) MPI_Win_free(&window_);
}

int64_t SharedCounter::fetch_and_increment() {
    const int64_t one = 1;
    int64_t before = 0;
    MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, window_);
    MPI_Fetch_and_op(&one, &before, MPI_INT64_T, 0, 0, MPI_SUM, window_);
    MPI_Win_unlock(0, window_);
    return before;
}

}  // namespace regcensus::mpi
