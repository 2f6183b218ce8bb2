#include "regcensus/crawl/polite_http.hpp"

#include <algorithm>
#include <cstdio>
#include <random>
#include <thread>

#include "regcensus/crawl/rate_limit_headers.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus::crawl {
namespace {

HttpPolicy transport_policy(const PoliteHttpOptions& options) {
    HttpPolicy policy;
    policy.tls_verify = options.tls_verify;
    policy.connect_timeout_s = options.connect_timeout_s;
    policy.retries = 0;  // retried here, where the rate-limit headers are understood
    return policy;
}

bool is_transient_status(long status) {
    return status == 408 || status == 500 || status == 502 || status == 503 || status == 504;
}

// Exponential backoff with equal jitter (as HttpSession does), so that workers
// that failed together do not retry together.
void back_off(int attempt) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const int64_t ceiling_ms = std::min<int64_t>(250LL << std::min(attempt, 6), 8000);
    std::uniform_int_distribution<int64_t> jitter(0, ceiling_ms / 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(ceiling_ms / 2 + jitter(random)));
}

std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

PoliteHttp::PoliteHttp(const PoliteHttpOptions& options, RateLimiter& limiter)
    : options_(options), limiter_(limiter), session_(transport_policy(options)) {}

HttpResponse PoliteHttp::get(const std::string& url, int64_t max_body_bytes) {
    HttpRequest request;
    request.url = url;
    int failures = 0, rate_limited = 0;
    while (true) {
        limiter_.acquire();
        HttpResponse response;
        try {
            response = session_.perform(request, max_body_bytes);
        } catch (const DataError& error) {
            if (error.status() != "network" || failures >= options_.retries) throw;
            back_off(failures++);
            continue;
        }
        const auto now = std::chrono::system_clock::now();
        if (const auto pause = requested_pause(response, now)) {
            const auto capped = std::min(*pause, now + options_.max_pause);
            if (capped > now) {
                std::fprintf(stderr, "regcensus crawl: rate limit: waiting %lld s (HTTP %ld from %s)\n",
                             static_cast<long long>(
                                 std::chrono::ceil<std::chrono::seconds>(capped - now).count()),
                             response.status, without_query(url).c_str());
            }
            limiter_.pause_until(capped);
        }
        if (response.status == 429 && rate_limited < options_.rate_limited_retries) {
            // Without a stated time, back off as for any transient failure.
            if (!requested_pause(response, now)) back_off(rate_limited);
            ++rate_limited;
            continue;
        }
        if (is_transient_status(response.status) && failures < options_.retries) {
            back_off(failures++);
            continue;
        }
        return response;
    }
}

}  // namespace regcensus::crawl
