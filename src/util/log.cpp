#include "regcensus/util/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "regcensus/util/json_writer.hpp"

namespace regcensus {
namespace {

// Set once by main() before any thread starts; read-only afterwards.
LogSettings settings;
std::atomic<int> log_rank{0};
std::atomic<int64_t> retries{0};
const auto program_start = std::chrono::steady_clock::now();

const char* level_name(LogLevel level) {
    switch (level) {
        case LogLevel::error: return "error";
        case LogLevel::warning: return "warning";
        case LogLevel::info: return "info";
        case LogLevel::debug: return "debug";
    }
    return "info";
}

std::string wall_clock_now() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[80];  // room for any int fields, so the compiler can prove no truncation
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                  utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, int(millis));
    return text;
}

}  // namespace

void configure_log(const LogSettings& chosen) { settings = chosen; }

void set_log_rank(int rank) { log_rank.store(rank, std::memory_order_relaxed); }

bool log_enabled(LogLevel level) { return level <= settings.threshold; }

void log_line(LogLevel level, std::string_view text) {
    if (!log_enabled(level)) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - program_start).count();
    const int rank = log_rank.load(std::memory_order_relaxed);
    std::string line;
    if (settings.format == LogFormat::json) {
        JsonWriter json;
        json.begin_object();
        json.member("time", wall_clock_now());
        json.member("elapsed", double(int64_t(elapsed * 1000)) / 1000);
        json.member("rank", rank).member("level", level_name(level));
        json.member("command", settings.command).member("message", text);
        json.end_object();
        line = json.take();
    } else {
        char prefix[96];
        std::snprintf(prefix, sizeof prefix, "[regcensus %s %.1fs rank %d %s] ", wall_clock_now().c_str(), elapsed, rank,
                      level_name(level));
        line = prefix;
        line += text;
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
}

void count_retry() { retries.fetch_add(1, std::memory_order_relaxed); }

int64_t retries_counted() { return retries.load(std::memory_order_relaxed); }

LogSettings take_log_options(int& argc, char** argv, int first) {
    LogSettings chosen;
    int kept = first;
    for (int i = first; i < argc; ++i) {
        const std::string_view word = argv[i];
        std::string_view format;
        if (word == "-q" || word == "--quiet") {
            chosen.threshold = LogLevel::warning;
            continue;
        }
        if (word == "-v" || word == "--verbose") {
            chosen.threshold = LogLevel::debug;
            continue;
        }
        if (word == "--log-format") {
            if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--"))
                throw std::invalid_argument("--log-format is missing its value (text or json)");
            format = argv[++i];
        } else if (word.starts_with("--log-format=")) {
            format = word.substr(std::strlen("--log-format="));
        } else {
            argv[kept++] = argv[i];
            continue;
        }
        if (format == "json")
            chosen.format = LogFormat::json;
        else if (format == "text")
            chosen.format = LogFormat::text;
        else
            throw std::invalid_argument("--log-format must be text or json, not '" + std::string(format) + "'");
    }
    argc = kept;
    argv[argc] = nullptr;
    return chosen;
}

}  // namespace regcensus
