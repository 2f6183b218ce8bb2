#include "regcensus/crawl/rate_limit_headers.hpp"

#include <charconv>
#include <string>

namespace regcensus::crawl {
namespace {

std::optional<int64_t> whole_number(const std::string& text) {
    int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

std::chrono::system_clock::time_point unix_time(int64_t seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> requested_pause(const HttpResponse& response,
                                                                     std::chrono::system_clock::time_point now) {
    const auto reset = whole_number(response.header("x-ratelimit-reset"));
    if (response.status == 429) {
        if (const auto at = whole_number(response.header("x-retry-after"))) return unix_time(*at);
        if (const auto seconds = whole_number(response.header("retry-after")))
            return now + std::chrono::seconds(*seconds);
        if (reset) return unix_time(*reset);
        return std::nullopt;
    }
    const auto remaining = whole_number(response.header("x-ratelimit-remaining"));
    if (remaining && *remaining == 0 && reset) return unix_time(*reset);
    return std::nullopt;
}

}  // namespace regcensus::crawl
