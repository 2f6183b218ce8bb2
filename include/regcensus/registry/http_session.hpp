#pragma once
// HTTP requests over one reusable libcurl easy handle, performed on the
// registry's TransferEngine (its pool of keep-alive connections) or on their
// own (then the handle keeps its one connection alive), with the registry's
// transport policy in one place: TLS verification, redirects that never
// downgrade https and never carry credentials to another host, and retries
// with exponential backoff and jitter.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "regcensus/registry/curl_handles.hpp"

namespace regcensus {

class TransferEngine;

struct HttpRequest {
    std::string method = "GET";  // GET, HEAD, POST, PUT, DELETE
    std::string url;
    std::vector<std::string> headers;  // "Name: value"
    std::string_view body;             // POST/PUT payload; must outlive the call
};

struct HttpResponse {
    long status = 0;
    std::string effective_url;  // after redirects
    std::vector<std::pair<std::string, std::string>> headers;  // of the final response, names lowercased
    std::string body;  // the body, unless it went to a sink; then only non-2xx bodies (error documents)
    bool aborted_by_sink = false;
    // Streaming only: the length of the whole entity (a 200's Content-Length, or
    // the total of a 206's Content-Range), -1 when unknown or content-encoded,
    // and the bytes handed to the sink over all attempts.
    int64_t entity_length = -1;
    int64_t delivered = 0;

    // The first value of a header, "" when absent. `name` must be lowercase.
    std::string header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

struct HttpPolicy {
    bool tls_verify = true;
    long connect_timeout_s = 30;
    int retries = 3;  // of connection errors, 408 and 5xx
    // Retries of 429s, -1: as many as `retries`. A 429 that states when to ask
    // again (rate_limit_headers.hpp: X-Retry-After, Retry-After,
    // X-RateLimit-Reset) is retried at that time, cut to max_pause from now;
    // one that does not is backed off as any other failure.
    int rate_limited_retries = -1;
    std::chrono::seconds max_pause{60};
    // Redirects may only go to https when the registry is https.
    bool https_only = false;
    // No byte for this long (paused time excluded) ends the attempt; so does not
    // finishing within stall_timeout_s + size / min_transfer_rate seconds of
    // unpaused time (size: the announced length, else the body limit for a
    // buffered request, else the bytes so far). Both are network failures.
    double stall_timeout_s = 60;
    double min_transfer_rate = 64 << 10;  // bytes per second
    // A refused connection is retried (a registry restarting) unless this is
    // false (the /v2/ check: nothing listens there). Unresolvable hosts and
    // failed TLS verification are never retried.
    bool retry_refused_connections = true;
    // One line per retry on stderr, naming the request (without its query) and
    // the cause; never a header, so never a credential.
    bool log_retries = true;
    // Called before every attempt, retries included (the rate cap; may throw
    // DataError), and with every attempt's response (the quota headers).
    std::function<void()> before_attempt;
    std::function<void(const HttpResponse&)> after_attempt;
    // Where transfers run: the registry's shared connection pool. Null: each
    // session performs on its own (token requests, crawlers, tests).
    std::shared_ptr<TransferEngine> engine;
};

// What a body sink did with the bytes it was offered.
enum class SinkVerdict {
    taken,  // all of them; go on
    full,   // none of them: offer the same bytes again after HttpSession::resume_receiving
            // (only for sessions on a TransferEngine)
    stop,   // none of them; abort the transfer
};

// Receives the body of a successful (2xx) final response as it arrives.
using HttpBodySink = std::function<SinkVerdict(std::span<const std::byte>)>;

class HttpSession {
public:
    explicit HttpSession(HttpPolicy policy);

    // Performs `request`, retrying connection errors and 408/500/502/503/504
    // up to policy.retries times and 429s up to policy.rate_limited_retries
    // times; returns the final response whatever its status.
    // The body is kept up to `max_body_bytes` (DataError "too_large" beyond).
    // Throws DataError "network" (or "truncated_transfer") when the transfer fails for good,
    // "bad_response" for an unparsable or absurd Content-Length, "bad_header"
    // for a request header value with control characters (never sent), and
    // "interrupted" once stop_requested() (polled during transfers and sleeps).
    HttpResponse perform(const HttpRequest& request, int64_t max_body_bytes);

    // Like perform, but a 2xx body goes to `sink` instead of memory. A transfer
    // that breaks after bytes reached the sink resumes with `Range: bytes=N-`
    // (a 206 whose Content-Range starts at N continues the body; a 200 restarts
    // it and its first N bytes are skipped), so the sink sees every byte once.
    // A body shorter than its announced length is a failure of the attempt.
    // `should_abort` is polled during the transfer and the backoff sleeps.
    HttpResponse perform_streaming(const HttpRequest& request, const HttpBodySink& sink,
                                   const std::function<bool()>& should_abort);

    // Continues a streaming transfer whose sink answered `full`. Thread-safe.
    void resume_receiving();

    const HttpPolicy& policy() const { return policy_; }

private:
    struct Attempt;
    HttpResponse perform_with_retries(const HttpRequest& request, int64_t max_body_bytes, const HttpBodySink* sink,
                                      const std::function<bool()>* should_abort);
    CURLcode perform_once(const HttpRequest& request, Attempt& attempt);
    void log_retry(const HttpRequest& request, int retry_number, int retries, const std::string& cause,
                   std::chrono::milliseconds delay) const;

    HttpPolicy policy_;
    CurlEasy easy_;
};

}  // namespace regcensus
