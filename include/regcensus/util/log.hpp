#pragma once
// The one log format of every subcommand (docs/logging.md): each line on
// stderr carries the wall-clock time (UTC, ISO 8601), the seconds since the
// program started, the rank and the level:
//   [regcensus 2026-12-01T05:31:34.120Z 12.3s rank 0 info] plan: 24 images ...
// or, with --log-format json, one JSON object per line:
//   {"time":"...","elapsed":12.3,"rank":0,"level":"info","command":"run","message":"..."}
// -q shows warnings and errors only, -v adds debug lines (each retry). main()
// takes -q/-v/--log-format off the command line of every subcommand.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace regcensus {

enum class LogLevel { error = 0, warning = 1, info = 2, debug = 3 };
enum class LogFormat { text, json };

struct LogSettings {
    LogLevel threshold = LogLevel::info;
    LogFormat format = LogFormat::text;
    std::string command;  // the subcommand, in JSON lines
};

void configure_log(const LogSettings& settings);
// The rank written on every line (0 until an MPI session says otherwise).
void set_log_rank(int rank);

bool log_enabled(LogLevel level);

// One line, written with a single write so that lines of threads and ranks
// do not interleave. `text` carries no newline.
void log_line(LogLevel level, std::string_view text);

// printf-style convenience.
template <typename... Args>
void log_printf(LogLevel level, const char* format, Args... args) {
    if (!log_enabled(level)) return;
    char text[2048];
    if constexpr (sizeof...(Args) == 0)
        log_line(level, format);
    else {
        std::snprintf(text, sizeof text, format, args...);
        log_line(level, text);
    }
}

// Retries of this process, counted whether or not they are shown (-v), so
// that the end of a run can summarise them.
void count_retry();
int64_t retries_counted();

// Strips -q/--quiet, -v/--verbose and --log-format FORMAT|--log-format=FORMAT
// from argv[first..argc) in place (argc shrinks) and returns the settings.
// Throws std::invalid_argument for an unknown format or a missing value.
LogSettings take_log_options(int& argc, char** argv, int first);

}  // namespace regcensus
