#include "regcensus/registry/request_pacer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <thread>

#include "regcensus/registry/rate_limit_headers.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/stop_signal.hpp"

namespace regcensus {

namespace {

// "76;w=21600" -> 76 and the window 21600; -1 for what is not there.
std::pair<int64_t, int64_t> parse_quota_value(const std::string& text) {
    size_t at = 0;
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
    int64_t value = -1, window = -1;
    if (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
        value = 0;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) value = value * 10 + (text[at++] - '0');
    }
    if (const size_t w = text.find("w=", at); w != std::string::npos) {
        window = 0;
        for (size_t i = w + 2; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
            window = window * 10 + (text[i] - '0');
    }
    return {value, window};
}

}  // namespace

RequestPacer::RequestPacer(double max_requests_per_second, int64_t quota_reserve, std::chrono::seconds max_pause)
    : interval_(max_requests_per_second > 0
                    ? std::chrono::nanoseconds(int64_t(1e9 / max_requests_per_second))
                    : std::chrono::nanoseconds(0)),
      quota_reserve_(quota_reserve),
      max_pause_(max_pause) {}

void RequestPacer::before_request() {
    // First wait out a pause a server asked for. It is re-read in short slices
    // because another client may extend it meanwhile; it never exceeds
    // max_pause from when it was set (pause_until), so the wait has a deadline.
    while (true) {
        if (stop_requested()) throw DataError("interrupted", "waiting for the registry's rate limit: stopped by a signal");
        const auto now = std::chrono::system_clock::now();
        const auto until = paused_until();
        if (until <= now) break;
        std::this_thread::sleep_for(
            std::min<std::chrono::system_clock::duration>(until - now, std::chrono::milliseconds(200)));
    }
    std::chrono::steady_clock::time_point slot;
    {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::steady_clock::now();
        if (quota_.remaining >= 0) {
            // A quota is known until its window has passed since it was announced.
            const bool window_over =
                quota_.window_s > 0 && now - quota_seen_at_ > std::chrono::seconds(quota_.window_s);
            if (window_over) {
                quota_.remaining = -1;
            } else if (quota_.remaining <= quota_reserve_) {
                throw DataError("rate_limited", "the registry's request quota is nearly used up (" +
                                                    std::to_string(quota_.remaining) + " of " +
                                                    std::to_string(quota_.limit) +
                                                    " left); not asking further so as not to exhaust it");
            }
        }
        if (interval_.count() == 0) return;
        slot = std::max(now, next_slot_);
        next_slot_ = slot + interval_;
    }
    std::this_thread::sleep_until(slot);
}

void RequestPacer::after_response(const std::string& ratelimit_limit, const std::string& ratelimit_remaining) {
    if (ratelimit_remaining.empty()) return;
    const auto [remaining, remaining_window] = parse_quota_value(ratelimit_remaining);
    if (remaining < 0) return;
    const auto [limit, limit_window] = parse_quota_value(ratelimit_limit);
    std::lock_guard lock(mutex_);
    quota_.remaining = remaining;
    quota_.limit = limit;
    quota_.window_s = remaining_window > 0 ? remaining_window : limit_window;
    quota_seen_at_ = std::chrono::steady_clock::now();
}

void RequestPacer::after_response(const HttpResponse& response) {
    after_response(response.header("ratelimit-limit"), response.header("ratelimit-remaining"));
    if (const auto until = requested_pause(response, std::chrono::system_clock::now())) pause_until(*until);
}

void RequestPacer::pause_until(std::chrono::system_clock::time_point until) {
    const auto now = std::chrono::system_clock::now();
    const auto capped = std::min(until, now + max_pause_);
    {
        std::lock_guard lock(mutex_);
        if (capped <= paused_until_) return;
        paused_until_ = capped;
    }
    // A long silent stall would look like a hang; short pauses (a 429's
    // "Retry-After: 1") show in the retry lines already.
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(capped - now).count();
    if (seconds >= 5) {
        const std::string line = "regcensus: the server asked to wait: all requests to it pause for " +
                                 std::to_string(seconds) + " s\n";
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
}

std::chrono::system_clock::time_point RequestPacer::paused_until() const {
    std::lock_guard lock(mutex_);
    return paused_until_;
}

QuotaSnapshot RequestPacer::quota() const {
    std::lock_guard lock(mutex_);
    return quota_;
}

HttpPolicy paced_policy(HttpPolicy policy, std::shared_ptr<RequestPacer> pacer) {
    policy.before_attempt = [pacer] { pacer->before_request(); };
    policy.after_attempt = [pacer](const HttpResponse& response) { pacer->after_response(response); };
    return policy;
}

}  // namespace regcensus
