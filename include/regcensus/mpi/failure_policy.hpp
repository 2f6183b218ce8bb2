#pragma once
// The one failure policy of the MPI subcommands (docs/trust.md, "One failure
// policy"). Data errors never come here: they are rows. A program error on any
// rank or thread ends the whole job at once with one line naming the rank and
// the cause: MPI_Abort under MPI with more than one rank (the other ranks may be
// waiting in a collective and would hang otherwise), exit 1 otherwise. It never
// returns, never unwinds (so MPI_Finalize is not reached after, say, a failed
// write) and never dumps core.
#include <exception>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace regcensus::mpi {

inline constexpr int kExitProgramError = 1;

// The subcommand named in the message ("regcensus run: error on rank 1: ...").
void set_failure_command(std::string command);

// Makes std::terminate (an exception escaping a thread, a noexcept function)
// apply the policy too: the last resort, for code that forgot to catch.
void install_terminate_policy();

// Prints "regcensus COMMAND: error[ on rank R]: MESSAGE" and ends the job. Safe
// to call from any thread; a second caller waits for the first to end the job.
[[noreturn]] void fail_job(std::string_view message);

// The same for a caught exception (its what(), or "unknown exception").
[[noreturn]] void fail_job(const std::exception_ptr& error);

// An error that every rank raises at the same point with the same message
// (after a broadcast: the registry does not answer, say). Nobody is left
// waiting, so it is printed once, by rank 0, and every rank exits 1 normally.
class CollectiveError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Communicator;

// Collective: runs `check` on the root rank only (one request to a registry,
// say, not one per rank); when it throws, every rank throws CollectiveError
// with its message, so the job ends with that one line.
void check_on_root(const Communicator& comm, const std::function<void()>& check);

// Runs the collective part of a subcommand (after MPI started): what it
// returns; 1 for a CollectiveError; fail_job for any other exception. Other ranks may be waiting in a
// collective for this one, so an error must not unwind into MPI_Finalize.
int run_collectively(const std::function<int()>& body);

// The message of an exception, for logs and fail_job.
std::string describe_exception(const std::exception_ptr& error);

}  // namespace regcensus::mpi
