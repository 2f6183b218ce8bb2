#pragma once
// Politeness towards one registry, shared by all the clients (threads) of a
// process: a request rate cap, and the quota the registry announces in
// `ratelimit-limit` / `ratelimit-remaining` (Docker Hub: "100;w=21600"), so
// that a run stops asking before the quota is exhausted instead of burning
// its remaining requests on 429s; and the pause a server asks for (a 429's
// Retry-After / X-Retry-After, a spent X-RateLimit-Remaining until
// X-RateLimit-Reset), which holds back every client sharing the pacer. The
// registry client and the crawler pace through this one class.
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "regcensus/registry/http_session.hpp"

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
    // `max_pause`: a longer pause asked for by a server is cut to this.
    RequestPacer(double max_requests_per_second, int64_t quota_reserve,
                 std::chrono::seconds max_pause = std::chrono::seconds(60));

    // Blocks until a pause the server asked for is over and the rate cap allows
    // one more request; throws DataError("rate_limited") when the known quota
    // is down to the reserve, DataError("interrupted") on a stop signal.
    void before_request();
    // Reads the quota headers of a response ("" when absent).
    void after_response(const std::string& ratelimit_limit, const std::string& ratelimit_remaining);
    // Reads the quota and the pause headers of a response (rate_limit_headers.hpp).
    void after_response(const HttpResponse& response);

    // No request starts before `until` (wall-clock: servers state Unix times),
    // cut to now + max_pause; an earlier time than the current pause is ignored.
    void pause_until(std::chrono::system_clock::time_point until);
    std::chrono::system_clock::time_point paused_until() const;

    QuotaSnapshot quota() const;

private:
    const std::chrono::nanoseconds interval_;
    const int64_t quota_reserve_;
    const std::chrono::seconds max_pause_;
    mutable std::mutex mutex_;
    std::chrono::steady_clock::time_point next_slot_{};
    QuotaSnapshot quota_;
    std::chrono::steady_clock::time_point quota_seen_at_{};
    std::chrono::system_clock::time_point paused_until_{};
};

// `policy` with every attempt of its sessions, retries and stream resumes
// included, waiting for `pacer` first and reporting its response to it after.
HttpPolicy paced_policy(HttpPolicy policy, std::shared_ptr<RequestPacer> pacer);

}  // namespace regcensus
