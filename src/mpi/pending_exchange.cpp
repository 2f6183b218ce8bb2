#include "regcensus/mpi/pending_exchange.hpp"

#include <limits>
#include <stdexcept>

namespace regcensus::mpi {
namespace {

constexpr uint64_t kMoreToCome = uint64_t{1} << 63;

void check(int code, const char* what) {
    if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI failure in ") + what);
}

// MPI counts are int: a batch over 2 GiB is a caller's planning fault.
int as_count(uint64_t n) {
    if (n > static_cast<uint64_t>(std::numeric_limits<int>::max()))
        throw std::runtime_error("MPI message over 2 GiB; lower the batch size");
    return static_cast<int>(n);
}

}  // namespace

PendingExchange::PendingExchange(const Communicator& comm, const char* send, const std::vector<uint64_t>& send_bytes,
                                 const std::vector<uint64_t>& send_offsets, char* receive, bool more)
    : comm_(comm), send_(send), receive_(receive), more_(more) {
    const auto ranks = static_cast<std::size_t>(comm.size());
    if (send_bytes.size() != ranks || send_offsets.size() != ranks)
        throw std::logic_error("PendingExchange needs one count and offset per rank");
    // The "more" flag rides in the counts' top bit: ending the exchanges needs no collective of its own.
    counts_out_.resize(ranks);
    counts_in_.resize(ranks);
    send_counts_.resize(ranks);
    send_offsets_.resize(ranks);
    for (std::size_t r = 0; r < ranks; ++r) {
        counts_out_[r] = send_bytes[r] | (more ? kMoreToCome : 0);
        send_counts_[r] = as_count(send_bytes[r]);
        send_offsets_[r] = as_count(send_offsets[r]);
    }
    check(MPI_Ialltoall(counts_out_.data(), 1, MPI_UINT64_T, counts_in_.data(), 1, MPI_UINT64_T, comm.native(),
                        &request_),
          "MPI_Ialltoall");
}

PendingExchange::~PendingExchange() {
    if (request_ != MPI_REQUEST_NULL) MPI_Wait(&request_, MPI_STATUS_IGNORE);
    // Only reached with the bytes unsent when finish() was skipped by an
    // exception; the other ranks then fail in their own way.
}

void PendingExchange::start_bytes() {
    const auto ranks = counts_in_.size();
    receive_counts_.resize(ranks);
    receive_offsets_.resize(ranks);
    outcome_.more_anywhere = more_;
    uint64_t total = 0;
    for (std::size_t r = 0; r < ranks; ++r) {
        outcome_.more_anywhere = outcome_.more_anywhere || (counts_in_[r] & kMoreToCome) != 0;
        const uint64_t bytes = counts_in_[r] & ~kMoreToCome;
        receive_counts_[r] = as_count(bytes);
        receive_offsets_[r] = as_count(total);
        total += bytes;
    }
    as_count(total);
    outcome_.received_bytes = total;
    check(MPI_Ialltoallv(send_, send_counts_.data(), send_offsets_.data(), MPI_BYTE, receive_,
                         receive_counts_.data(), receive_offsets_.data(), MPI_BYTE, comm_.native(), &request_),
          "MPI_Ialltoallv");
    stage_ = Stage::bytes;
}

void PendingExchange::poll() {
    if (stage_ == Stage::done) return;
    int complete = 0;
    check(MPI_Test(&request_, &complete, MPI_STATUS_IGNORE), "MPI_Test");
    if (!complete) return;
    if (stage_ == Stage::counts)
        start_bytes();
    else
        stage_ = Stage::done;
}

PendingExchange::Outcome PendingExchange::finish() {
    if (stage_ == Stage::counts) {
        check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
        start_bytes();
    }
    if (stage_ == Stage::bytes) {
        check(MPI_Wait(&request_, MPI_STATUS_IGNORE), "MPI_Wait");
        stage_ = Stage::done;
    }
    return outcome_;
}

}  // namespace regcensus::mpi
