#pragma once
// One limiter shared by all worker threads of a crawl: it spaces request starts
// to at most `max_per_second`, and it holds every worker back while the server
// has said to wait (a spent X-RateLimit-Remaining, a 429).
#include <chrono>
#include <mutex>

namespace regcensus::crawl {

class RateLimiter {
public:
    // max_per_second <= 0 means no spacing (server pauses are still honoured).
    explicit RateLimiter(double max_per_second);

    // Blocks until one more request may start.
    void acquire();

    // No request starts before `until` (wall-clock: the servers' reset and
    // retry times are Unix times). An earlier time than the current pause is ignored.
    void pause_until(std::chrono::system_clock::time_point until);

    std::chrono::system_clock::time_point paused_until() const;

private:
    mutable std::mutex mutex_;
    std::chrono::nanoseconds interval_{0};
    std::chrono::steady_clock::time_point next_slot_{};
    std::chrono::system_clock::time_point paused_until_{};
};

}  // namespace regcensus::crawl
