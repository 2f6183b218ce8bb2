#include "regcensus/crawl/rate_limiter.hpp"

#include <algorithm>
#include <thread>

namespace regcensus::crawl {

RateLimiter::RateLimiter(double max_per_second) {
    if (max_per_second > 0)
        interval_ = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / max_per_second));
}

void RateLimiter::acquire() {
    // First wait out a pause the server asked for. It is re-read in short slices
    // because another worker may extend it meanwhile.
    while (true) {
        const auto now = std::chrono::system_clock::now();
        const auto until = paused_until();
        if (until <= now) break;
        std::this_thread::sleep_for(std::min<std::chrono::system_clock::duration>(until - now,
                                                                                  std::chrono::milliseconds(200)));
    }
    std::chrono::steady_clock::time_point slot;
    {
        std::lock_guard lock(mutex_);
        slot = std::max(std::chrono::steady_clock::now(), next_slot_);
        next_slot_ = slot + interval_;
    }
    std::this_thread::sleep_until(slot);
}

void RateLimiter::pause_until(std::chrono::system_clock::time_point until) {
    std::lock_guard lock(mutex_);
    paused_until_ = std::max(paused_until_, until);
}

std::chrono::system_clock::time_point RateLimiter::paused_until() const {
    std::lock_guard lock(mutex_);
    return paused_until_;
}

}  // namespace regcensus::crawl
