#pragma once
// One variable all-to-all in flight between caller-owned buffers, so that a
// rank can prepare its next batch while this one travels: first the byte
// counts (MPI_Ialltoall), then the bytes (MPI_Ialltoallv). MPI's non-blocking
// collectives advance only inside MPI calls, so the caller polls between
// pieces of its own work; a rank that is a little late then costs the others
// less than a blocking exchange per batch would.
#include <cstdint>
#include <vector>

#include <mpi.h>

#include "regcensus/mpi/communicator.hpp"

namespace regcensus::mpi {

class PendingExchange {
public:
    struct Outcome {
        uint64_t received_bytes = 0;  // packed from the start of `receive`, in rank order
        bool more_anywhere = false;   // some rank said it has more batches to send
    };

    // Starts the exchange: send_bytes[r] bytes at send + send_offsets[r] go to
    // rank r; `more` tells the others this rank has further batches. `send`
    // and `receive` must stay untouched until finish(); `receive` must hold
    // whatever the others send.
    PendingExchange(const Communicator& comm, const char* send, const std::vector<uint64_t>& send_bytes,
                    const std::vector<uint64_t>& send_offsets, char* receive, bool more);
    // Waits for an exchange still running: the buffers must not outlive it.
    ~PendingExchange();
    PendingExchange(const PendingExchange&) = delete;
    PendingExchange& operator=(const PendingExchange&) = delete;

    // Lets MPI advance the exchange; never blocks.
    void poll();
    // Waits for the end of the exchange.
    Outcome finish();

private:
    void start_bytes();  // once the counts are in

    enum class Stage { counts, bytes, done };
    const Communicator& comm_;
    const char* send_;
    char* receive_;
    bool more_;
    Stage stage_ = Stage::counts;
    MPI_Request request_ = MPI_REQUEST_NULL;
    std::vector<uint64_t> counts_out_, counts_in_;  // byte counts, top bit: "more to come"
    std::vector<int> send_counts_, send_offsets_, receive_counts_, receive_offsets_;
    Outcome outcome_;
};

}  // namespace regcensus::mpi
