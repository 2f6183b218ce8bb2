#pragma once
// The only place that speaks MPI: a session (init/finalize) and the handful of
// collectives regcensus uses, all over byte buffers so that callers exchange
// their own encoded records (see util/binary_codec.hpp).
#include <cstdint>
#include <vector>

#include <mpi.h>

namespace regcensus::mpi {

// MPI_Init_thread / MPI_Finalize. Works under mpirun and as a singleton.
class Session {
public:
    Session(int* argc, char*** argv);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
};

class Communicator {
public:
    explicit Communicator(MPI_Comm comm = MPI_COMM_WORLD);

    int rank() const { return rank_; }
    int size() const { return size_; }
    bool is_root() const { return rank_ == 0; }
    MPI_Comm native() const { return comm_; }

    void barrier() const;

    // Every rank gets every rank's buffer, in rank order.
    std::vector<std::vector<char>> allgather(const std::vector<char>& mine) const;
    // Every rank gets the buffers of the ranks on its own node (that share its
    // memory: MPI_COMM_TYPE_SHARED), in rank order.
    std::vector<std::vector<char>> allgather_on_node(const std::vector<char>& mine) const;
    // Rank 0 gets every rank's buffer in rank order; the others get an empty vector.
    std::vector<std::vector<char>> gather(const std::vector<char>& mine) const;
    // outgoing[r] goes to rank r; the result holds what each rank sent to this one.
    std::vector<std::vector<char>> alltoall(const std::vector<std::vector<char>>& outgoing) const;
    // Rank 0's buffer, on every rank.
    std::vector<char> broadcast(std::vector<char> from_root) const;

    std::vector<int64_t> sum(const std::vector<int64_t>& values) const;  // allreduce
    // Element-wise sum on rank 0 (the others get an empty vector).
    std::vector<int64_t> sum_on_root(const std::vector<int64_t>& values) const;
    int64_t sum(int64_t value) const;
    int64_t max(int64_t value) const;

private:
    MPI_Comm comm_;
    int rank_ = 0;
    int size_ = 1;
};

}  // namespace regcensus::mpi
