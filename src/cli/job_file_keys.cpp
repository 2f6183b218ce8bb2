#include "job_file_keys.hpp"

#include <algorithm>
#include <iterator>
#include <vector>

namespace regcensus::cli {
namespace {

constexpr std::string_view kJobFileKeys[] = {
    // run, plan, merge (census_options.cpp)
    "config", "work", "registry", "layout", "auth-file", "max-requests-per-second", "all-platforms", "images",
    "platform", "shard-bytes", "retries", "stall-timeout", "min-transfer-rate", "accept-plan",
    "insecure-skip-tls-verify", "out", "top", "memory-per-rank", "resume", "retry-failed", "shards", "concurrency",
    "progress", "max-layer-bytes", "max-ratio",
    // added by the other issues of this round: --storage/--untagged (#15), --files (#12)
    "storage", "untagged", "files", "files-copy",
    // status (status_command.cpp)
    "failed", "failures", "json",
    // crawl (crawl_command.cpp)
    "hub", "tags", "page-size", "hub-url", "no-official", "namespaces", "queries", "max-query-length",
    "prefix-alphabet", "state", "growth-log", "max-pause", "max-pages", "max-names",
    "help"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

bool is_job_file_key(std::string_view key) {
    return std::find(std::begin(kJobFileKeys), std::end(kJobFileKeys), key) != std::end(kJobFileKeys);
}

std::string closest_job_file_key(std::string_view key) {
    std::string_view best;
    std::size_t best_distance = 3;  // more than two edits is not a typo
    for (const auto candidate : kJobFileKeys) {
        const auto distance = edit_distance(key, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return std::string(best);
}

}  // namespace regcensus::cli
