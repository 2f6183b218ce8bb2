#include "regcensus/crawl/growth_log.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include "regcensus/util/log.hpp"

namespace regcensus::crawl {

std::string growth_log_line(std::string_view timestamp, std::string_view source, int64_t count) {
    std::string line(timestamp);
    line += '\t';
    for (char c : source) line += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
    line += '\t';
    line += std::to_string(count);
    line += '\n';
    return line;
}

GrowthLog::GrowthLog(std::string tsv_path) : path_(std::move(tsv_path)) {}

void GrowthLog::record(std::string_view source, int64_t count, size_t rows) {
    const std::string timestamp = utc_timestamp(std::chrono::system_clock::now());
    std::lock_guard lock(mutex_);
    log_printf(LogLevel::info, "checkpoint %.*s count=%lld rows=%zu", int(source.size()), source.data(),
               static_cast<long long>(count), rows);
    if (path_.empty()) return;
    std::ofstream out(path_, std::ios::app | std::ios::binary);
    out << growth_log_line(timestamp, source, count);
    if (!out) throw std::runtime_error("cannot append to growth log " + path_);
}

}  // namespace regcensus::crawl
