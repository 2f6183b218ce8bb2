#include "regcensus/mpi/communicator.hpp"
#include "regcensus/util/log.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

namespace regcensus::mpi {
namespace {

void check(int code, const char* what) {
    if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI failure in ") + what);
}

// MPI counts are int: larger exchanges must be split by the caller's batching.
int as_count(std::size_t n) {
    if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw std::runtime_error("MPI message over 2 GiB; lower the batch size");
    return static_cast<int>(n);
}

std::vector<int> displacements(const std::vector<int>& counts) {
    std::vector<int> displs(counts.size(), 0);
    std::size_t total = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
        displs[i] = as_count(total);
        total += static_cast<std::size_t>(counts[i]);
    }
    as_count(total);
    return displs;
}

std::vector<std::vector<char>> split(const std::vector<char>& flat, const std::vector<int>& counts,
                                     const std::vector<int>& displs) {
    std::vector<std::vector<char>> parts(counts.size());
    for (std::size_t i = 0; i < counts.size(); ++i)
        parts[i].assign(flat.begin() + displs[i], flat.begin() + displs[i] + counts[i]);
    return parts;
}

}  // namespace

Session::Session(int* argc, char*** argv) {
    int provided = 0;
    // Rank threads (a download thread per transfer) never call MPI themselves.
    check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    set_log_rank(Communicator().rank());  // every log line names its rank
}

Session::~Session() { MPI_Finalize(); }

Communicator::Communicator(MPI_Comm comm) : comm_(comm) {
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
}

void Communicator::barrier() const { check(MPI_Barrier(comm_), "MPI_Barrier"); }

std::vector<std::vector<char>> Communicator::allgather(const std::vector<char>& mine) const {
    int my_count = as_count(mine.size());
    std::vector<int> counts(size_);
    check(MPI_Allgather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm_), "MPI_Allgather");
    auto displs = displacements(counts);
    std::vector<char> flat(static_cast<std::size_t>(displs.back()) + counts.back());
    check(MPI_Allgatherv(mine.data(), my_count, MPI_BYTE, flat.data(), counts.data(), displs.data(), MPI_BYTE,
                         comm_),
          "MPI_Allgatherv");
    return split(flat, counts, displs);
}

std::vector<std::vector<char>> Communicator::allgather_on_node(const std::vector<char>& mine) const {
    MPI_Comm node = MPI_COMM_NULL;
    check(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node), "MPI_Comm_split_type");
    std::vector<std::vector<char>> gathered;
    try {
        gathered = Communicator(node).allgather(mine);
    } catch (...) {
        MPI_Comm_free(&node);
        throw;
    }
    check(MPI_Comm_free(&node), "MPI_Comm_free");
    return gathered;
}

std::vector<std::vector<char>> Communicator::gather(const std::vector<char>& mine) const {
    int my_count = as_count(mine.size());
    std::vector<int> counts(size_);
    check(MPI_Gather(&my_count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_), "MPI_Gather");
    if (!is_root()) {
        check(MPI_Gatherv(mine.data(), my_count, MPI_BYTE, nullptr, nullptr, nullptr, MPI_BYTE, 0, comm_),
              "MPI_Gatherv");
        return {};
    }
    auto displs = displacements(counts);
    std::vector<char> flat(static_cast<std::size_t>(displs.back()) + counts.back());
    check(MPI_Gatherv(mine.data(), my_count, MPI_BYTE, flat.data(), counts.data(), displs.data(), MPI_BYTE, 0,
                      comm_),
          "MPI_Gatherv");
    return split(flat, counts, displs);
}

std::vector<std::vector<char>> Communicator::alltoall(const std::vector<std::vector<char>>& outgoing) const {
    if (static_cast<int>(outgoing.size()) != size_) throw std::logic_error("alltoall needs one buffer per rank");
    std::vector<int> send_counts(size_), recv_counts(size_);
    for (int r = 0; r < size_; ++r) send_counts[r] = as_count(outgoing[r].size());
    check(MPI_Alltoall(send_counts.data(), 1, MPI_INT, recv_counts.data(), 1, MPI_INT, comm_), "MPI_Alltoall");
    auto send_displs = displacements(send_counts);
    auto recv_displs = displacements(recv_counts);
    std::vector<char> send_flat;
    send_flat.reserve(static_cast<std::size_t>(send_displs.back()) + send_counts.back());
    for (const auto& part : outgoing) send_flat.insert(send_flat.end(), part.begin(), part.end());
    std::vector<char> recv_flat(static_cast<std::size_t>(recv_displs.back()) + recv_counts.back());
    check(MPI_Alltoallv(send_flat.data(), send_counts.data(), send_displs.data(), MPI_BYTE, recv_flat.data(),
                        recv_counts.data(), recv_displs.data(), MPI_BYTE, comm_),
          "MPI_Alltoallv");
    return split(recv_flat, recv_counts, recv_displs);
}

std::vector<char> Communicator::broadcast(std::vector<char> from_root) const {
    uint64_t n = from_root.size();
    check(MPI_Bcast(&n, 1, MPI_UINT64_T, 0, comm_), "MPI_Bcast");
    from_root.resize(n);
    check(MPI_Bcast(from_root.data(), as_count(n), MPI_BYTE, 0, comm_), "MPI_Bcast");
    return from_root;
}

std::vector<int64_t> Communicator::sum(const std::vector<int64_t>& values) const {
    std::vector<int64_t> out(values.size());
    check(MPI_Allreduce(values.data(), out.data(), as_count(values.size()), MPI_INT64_T, MPI_SUM, comm_),
          "MPI_Allreduce");
    return out;
}

std::vector<int64_t> Communicator::sum_on_root(const std::vector<int64_t>& values) const {
    std::vector<int64_t> out(is_root() ? values.size() : 0);
    check(MPI_Reduce(values.data(), is_root() ? out.data() : nullptr, as_count(values.size()), MPI_INT64_T,
                     MPI_SUM, 0, comm_),
          "MPI_Reduce");
    return out;
}

int64_t Communicator::sum(int64_t value) const { return sum(std::vector<int64_t>{value})[0]; }

int64_t Communicator::max(int64_t value) const {
    int64_t out = 0;
    check(MPI_Allreduce(&value, &out, 1, MPI_INT64_T, MPI_MAX, comm_), "MPI_Allreduce");
    return out;
}

}  // namespace regcensus::mpi
