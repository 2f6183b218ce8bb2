#pragma once
// GET requests of a crawler: one HttpSession (one keep-alive connection) per
// worker thread, all sharing one RateLimiter. The crawler, not HttpSession,
// retries here, because it must honour the servers' rate-limit headers
// (Unix-time resets that HttpSession's Retry-After handling does not know).
#include <chrono>
#include <cstdint>
#include <string>

#include "regcensus/crawl/rate_limiter.hpp"
#include "regcensus/registry/http_session.hpp"

namespace regcensus::crawl {

struct PoliteHttpOptions {
    bool tls_verify = true;
    long connect_timeout_s = 30;
    int retries = 5;                            // of connection errors and 408/5xx
    int rate_limited_retries = 20;              // of 429s, each after the pause the server asked for
    std::chrono::seconds max_pause{900};        // a longer pause requested by a server is cut to this
};

class PoliteHttp {
public:
    PoliteHttp(const PoliteHttpOptions& options, RateLimiter& limiter);

    // The final response, whatever its status, after retries. Throws DataError
    // ("network", "truncated_transfer", "too_large") when the transfer fails for good.
    HttpResponse get(const std::string& url, int64_t max_body_bytes);

private:
    PoliteHttpOptions options_;
    RateLimiter& limiter_;
    HttpSession session_;
};

}  // namespace regcensus::crawl
