#pragma once
// Log lines of a run on stderr, with the elapsed time. `root` lines speak for
// the whole job (rank 0 only), `rank` lines for one rank (failures, skips).
#include <chrono>
#include <cstdio>

#include "regcensus/mpi/communicator.hpp"

namespace regcensus {

class RunLog {
public:
    explicit RunLog(const mpi::Communicator& comm) : comm_(comm), start_(std::chrono::steady_clock::now()) {}

    template <typename... Args>
    void root(const char* format, Args... args) const {
        if (comm_.is_root()) line(false, format, args...);
    }
    template <typename... Args>
    void rank(const char* format, Args... args) const {
        line(true, format, args...);
    }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    template <typename... Args>
    void line(bool with_rank, const char* format, Args... args) const {
        char text[2048];
        if constexpr (sizeof...(Args) == 0)
            std::snprintf(text, sizeof text, "%s", format);
        else
            std::snprintf(text, sizeof text, format, args...);
        if (with_rank)
            std::fprintf(stderr, "[regcensus %7.1fs rank %d] %s\n", seconds(), comm_.rank(), text);
        else
            std::fprintf(stderr, "[regcensus %7.1fs] %s\n", seconds(), text);
    }
    const mpi::Communicator& comm_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace regcensus
