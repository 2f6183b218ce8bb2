#pragma once
// Politeness towards one registry, shared by all the clients (threads) of a
// process: a request rate cap, and the quota the registry announces in
// `ratelimit-limit` / `ratelimit-remaining` (Docker Hub: "100;w=21600"), so
// that a run stops asking before the quota is exhausted instead of burning
// its remaining requests on 429s.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace regcensus {

struct QuotaSnapshot {
    int64_t limit = -1;      // requests per window, -1 when never announced
    int64_t remaining = -1;  // -1 when never announced
    int64_t window_s = -1;   // -1 when not stated
};

class RequestPacer {
public:
    // `max_requests_per_second` <= 0: no cap. `quota_reserve`: requests left
    // untouched in a known quota (the run stops when `remaining` reaches it).
    RequestPacer(double max_requests_per_second, int64_t quota_reserve);

    // Blocks until the rate cap allows one more request; throws
    // DataError("rate_limited") when the known quota is down to the reserve.
    void before_request();
    // Reads the quota headers of a response ("" when absent).
    void after_response(const std::string& ratelimit_limit, const std::string& ratelimit_remaining);

    QuotaSnapshot quota() const;

private:
    const std::chrono::nanoseconds interval_;
    const int64_t quota_reserve_;
    mutable std::mutex mutex_;
    std::chrono::steady_clock::time_point next_slot_{};
    QuotaSnapshot quota_;
    std::chrono::steady_clock::time_point quota_seen_at_{};
};

}  // namespace regcensus
