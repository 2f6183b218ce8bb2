#pragma once
// The names a listing gave that are not valid repository or tag names: skipped
// (never requested, never journalled), each of the first few named on stderr,
// all of them counted. Thread-safe: every crawl worker reports here.
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace regcensus::crawl {

class InvalidNames {
public:
    static constexpr int64_t kNamedInLog = 10;

    // Records one skipped name: `what` is "repository" or "tag", `where` the
    // listing that gave it ("the catalog", "the tags of team/app").
    void skip(std::string_view what, std::string_view name, std::string_view where);
    int64_t count() const;
    // The closing line (a count) when any name was skipped.
    void log_summary() const;

private:
    mutable std::mutex mutex_;
    int64_t count_ = 0;
};

// `text` made safe for a log line: bytes outside printable ASCII as \xNN, at most
// `max_length` characters of the original kept (then "...").
std::string printable(std::string_view text, size_t max_length = 200);

}  // namespace regcensus::crawl
