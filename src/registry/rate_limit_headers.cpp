#include "regcensus/registry/rate_limit_headers.hpp"

#include <algorithm>
#include <string>

#include "regcensus/registry/http_header_values.hpp"

namespace regcensus {
namespace {

// Clamped (to 2106): a hostile time far in the future must not overflow the clock;
// the caller's cap on pauses then applies.
constexpr int64_t kLatestTime = int64_t(1) << 32;

std::chrono::system_clock::time_point unix_time(int64_t seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(std::min(seconds, kLatestTime)));
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> requested_pause(const HttpResponse& response,
                                                                     std::chrono::system_clock::time_point now) {
    const auto reset = parse_header_decimal(response.header("x-ratelimit-reset"));
    if (response.status == 429) {
        if (const auto at = parse_header_decimal(response.header("x-retry-after"))) return unix_time(*at);
        if (const auto seconds = parse_retry_after_seconds(response.header("retry-after"))) {
            return now + std::chrono::seconds(std::min(*seconds, kLatestTime));
        }
        if (reset) return unix_time(*reset);
        return std::nullopt;
    }
    const auto remaining = parse_header_decimal(response.header("x-ratelimit-remaining"));
    if (remaining && *remaining == 0 && reset) return unix_time(*reset);
    return std::nullopt;
}

}  // namespace regcensus
