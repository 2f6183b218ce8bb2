#include "regcensus/mpi/failure_policy.hpp"

#include <mpi.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "regcensus/mpi/communicator.hpp"

namespace regcensus::mpi {
namespace {

std::mutex command_mutex;
std::string failure_command = "regcensus";
std::atomic<bool> failing{false};

bool mpi_running() {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

[[noreturn]] void end_job() {
    std::fflush(nullptr);
    if (mpi_running()) {
        int size = 1;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        // One rank alone has nobody waiting on it: a plain exit spares the
        // launcher's abort banner.
        if (size > 1) MPI_Abort(MPI_COMM_WORLD, kExitProgramError);
    }
    // _exit, not exit: static destructors and atexit handlers (HDF5's among
    // them) may touch the state whose failure brought us here, and worker
    // threads are still running.
    ::_exit(kExitProgramError);
}

[[noreturn]] void on_terminate() {
    const auto error = std::current_exception();
    fail_job(error ? describe_exception(error) : std::string("std::terminate called without an exception"));
}

}  // namespace

void set_failure_command(std::string command) {
    std::lock_guard lock(command_mutex);
    failure_command = "regcensus " + std::move(command);
}

void install_terminate_policy() { std::set_terminate(on_terminate); }

std::string describe_exception(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "unknown exception";
    }
}

void fail_job(std::string_view message) {
    if (failing.exchange(true)) {
        // Another thread of this rank is already ending the job.
        while (true) ::pause();
    }
    std::string command;
    {
        std::lock_guard lock(command_mutex);
        command = failure_command;
    }
    std::string where;
    if (mpi_running()) {
        int size = 1, rank = 0;
        MPI_Comm_size(MPI_COMM_WORLD, &size);
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (size > 1) where = " on rank " + std::to_string(rank);
    }
    std::fprintf(stderr, "%s: error%s: %.*s\n", command.c_str(), where.c_str(), int(message.size()),
                 message.data());
    end_job();
}

void fail_job(const std::exception_ptr& error) { fail_job(describe_exception(error)); }

void check_on_root(const Communicator& comm, const std::function<void()>& check) {
    std::string problem;
    if (comm.is_root()) {
        try {
            check();
        } catch (const std::exception& error) {
            problem = error.what();
        }
    }
    const auto shared = comm.broadcast(std::vector<char>(problem.begin(), problem.end()));
    if (!shared.empty()) throw CollectiveError(std::string(shared.begin(), shared.end()));
}

int run_collectively(const std::function<int()>& body) {
    try {
        return body();
    } catch (const CollectiveError& error) {
        int rank = 0;
        if (mpi_running()) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
        if (rank == 0) {
            std::lock_guard lock(command_mutex);
            std::fprintf(stderr, "%s: error: %s\n", failure_command.c_str(), error.what());
        }
        return kExitProgramError;
    } catch (...) {
        fail_job(std::current_exception());
    }
}

}  // namespace regcensus::mpi
