#pragma once
// The counts a crawl sees, with their time: the study plotted Docker Hub's growth
// from such counts. Every checkpoint logs a line to stderr; with a path, each is
// also appended as TSV `timestamp<TAB>source<TAB>count`.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "regcensus/util/utc_timestamp.hpp"

namespace regcensus::crawl {

using regcensus::utc_timestamp;  // util/utc_timestamp.hpp

// One TSV line with its newline; tabs and newlines in `source` become spaces.
std::string growth_log_line(std::string_view timestamp, std::string_view source, int64_t count);

class GrowthLog {
public:
    explicit GrowthLog(std::string tsv_path);  // "" : stderr only
    // `count` is the total the source announces (or has listed so far); `rows` the
    // rows the crawl holds, for the stderr line only.
    void record(std::string_view source, int64_t count, size_t rows);

private:
    std::mutex mutex_;
    std::string path_;
};

}  // namespace regcensus::crawl
