#pragma once
// Log lines of a run on stderr in the one log format (util/log.hpp). `root`
// lines speak for the whole job (rank 0 only), `rank` lines for one rank
// (failures, skips). A line starting "warning:" is logged as a warning.
#include <chrono>
#include <cstdio>
#include <cstring>

#include "regcensus/mpi/communicator.hpp"
#include "regcensus/util/log.hpp"

namespace regcensus {

class RunLog {
public:
    explicit RunLog(const mpi::Communicator& comm) : comm_(comm), start_(std::chrono::steady_clock::now()) {}

    template <typename... Args>
    void root(const char* format, Args... args) const {
        if (comm_.is_root()) line(format, args...);
    }
    template <typename... Args>
    void rank(const char* format, Args... args) const {
        line(format, args...);
    }
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

private:
    template <typename... Args>
    void line(const char* format, Args... args) const {
        char text[2048];
        if constexpr (sizeof...(Args) == 0)
            std::snprintf(text, sizeof text, "%s", format);
        else
            std::snprintf(text, sizeof text, format, args...);
        const bool warning = std::strncmp(text, "warning:", 8) == 0;
        log_line(warning ? LogLevel::warning : LogLevel::info, text);
    }
    const mpi::Communicator& comm_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace regcensus
