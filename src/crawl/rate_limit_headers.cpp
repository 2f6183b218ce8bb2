#include "regcensus/crawl/rate_limit_headers.hpp"

#include <string>

#include "regcensus/registry/http_header_values.hpp"

namespace regcensus::crawl {
namespace {

std::chrono::system_clock::time_point unix_time(int64_t seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> requested_pause(const HttpResponse& response,
                                                                     std::chrono::system_clock::time_point now) {
    const auto reset = parse_header_decimal(response.header("x-ratelimit-reset"));
    if (response.status == 429) {
        if (const auto at = parse_header_decimal(response.header("x-retry-after"))) return unix_time(*at);
        if (const auto seconds = parse_header_decimal(response.header("retry-after")))
            return now + std::chrono::seconds(*seconds);
        if (reset) return unix_time(*reset);
        return std::nullopt;
    }
    const auto remaining = parse_header_decimal(response.header("x-ratelimit-remaining"));
    if (remaining && *remaining == 0 && reset) return unix_time(*reset);
    return std::nullopt;
}

}  // namespace regcensus::crawl
