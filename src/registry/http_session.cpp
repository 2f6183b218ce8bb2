#include "regcensus/registry/http_session.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <optional>
#include <cstdio>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>

#include "regcensus/registry/http_header_values.hpp"
#include "regcensus/registry/rate_limit_headers.hpp"
#include "regcensus/registry/transfer_engine.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/row_status.hpp"
#include "regcensus/util/log.hpp"
#include "regcensus/util/stop_signal.hpp"

namespace regcensus {

namespace {

constexpr int64_t kMaxErrorBodyBytes = 64 << 10;

// Whether an HTTP answer is retried is the row status vocabulary's word for it.
bool is_retryable_http_status(long status) { return is_retryable_status("http_" + std::to_string(status)); }

std::string lowercase(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

// Exponential backoff with "equal jitter": half the delay fixed, half random,
// so that ranks that failed together do not retry together.
std::chrono::milliseconds backoff_delay(int attempt, const HttpResponse& response) {
    thread_local std::mt19937_64 random{std::random_device{}()};
    const int64_t ceiling_ms = std::min<int64_t>(250LL << std::min(attempt, 6), 8000);
    std::uniform_int_distribution<int64_t> jitter(0, ceiling_ms / 2);
    int64_t delay_ms = ceiling_ms / 2 + jitter(random);
    // A 429/503 may say how long to wait, in seconds or as an HTTP date; honour it within reason.
    if (const auto wanted_s = parse_retry_after_seconds(response.header("retry-after")))
        delay_ms = std::max<int64_t>(delay_ms, std::min<int64_t>(*wanted_s, 60) * 1000);
    return std::chrono::milliseconds(delay_ms);
}

// Before retrying a 429: the time the server stated (cut to `max_pause`), else
// the ordinary backoff.
std::chrono::milliseconds rate_limited_delay(int attempt, const HttpResponse& response,
                                             std::chrono::seconds max_pause) {
    const auto now = std::chrono::system_clock::now();
    const auto until = requested_pause(response, now);
    if (!until) return backoff_delay(attempt, response);
    const auto wait = std::min<std::chrono::system_clock::duration>(*until - now, max_pause);
    return std::max(std::chrono::milliseconds(0), std::chrono::ceil<std::chrono::milliseconds>(wait));
}

// Sleeps in small slices so that an abandoned stream does not wait out a backoff.
void sleep_unless_aborted(std::chrono::milliseconds delay, const std::function<bool()>* should_abort) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
        if ((should_abort && (*should_abort)()) || stop_requested()) return;
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                               until - std::chrono::steady_clock::now()) +
                                               std::chrono::milliseconds(1)));
    }
}

// Error messages name the URL without its query: upload URLs carry the
// registry's upload state there, and signed storage URLs their signatures.
std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

// Failures that another attempt cannot mend: the name does not resolve, the
// peer's certificate is not trusted, the URL or protocol is wrong.
bool is_permanent_failure(CURLcode code, const HttpPolicy& policy) {
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
        case CURLE_TOO_MANY_REDIRECTS: return true;
        case CURLE_COULDNT_CONNECT: return !policy.retry_refused_connections;
        default: return false;
    }
}

std::string format_seconds(double seconds) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", seconds);
    return text;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key == name) return value;
    return {};
}

struct HttpSession::Attempt {
    using Clock = std::chrono::steady_clock;
    CURL* easy = nullptr;
    const HttpPolicy* policy = nullptr;
    std::string description;  // "GET url" without the query, for messages
    HttpResponse response;
    const HttpBodySink* sink = nullptr;
    const std::function<bool()>* should_abort = nullptr;
    int64_t max_body_bytes = 0;
    int64_t resume_from = 0;   // bytes the sink already has from earlier attempts (Range sent)
    int64_t skip = 0;          // bytes of this body to discard (a restart after a resume was refused)
    int64_t delivered_to_sink = 0;
    bool status_known = false;
    bool body_to_sink = false;
    bool too_large = false;
    bool paused_without_engine = false;  // a sink said `full` where nothing could resume it
    bool range_refused = false;  // a 206 that does not continue where we stopped
    bool send_range = true;      // false after a refused resume: the body restarts instead
    bool on_engine = false;      // performed by a TransferEngine, which can pause and resume
    bool interrupted = false;    // stop_requested() ended it
    std::string limit_hit;       // why the stall timeout or the deadline ended it, "" when they did not
    std::exception_ptr callback_error;  // thrown inside a callback: rethrown after the perform
    char curl_message[CURL_ERROR_SIZE] = {};

    // The clocks of the stall timeout and the deadline: time while the sink
    // holds the transfer back (paused_by_sink) counts for neither.
    Clock::time_point started = Clock::now();
    Clock::time_point last_activity = started;
    Clock::time_point paused_since{};
    Clock::duration paused_total{};
    bool paused_by_sink = false;
    curl_off_t last_moved = 0;     // bytes received and sent so far
    int64_t deadline_bytes = -1;  // the response size the deadline allows for, -1: what arrived so far
    int64_t upload_bytes = 0;     // the request body, which the deadline allows for too

    void note_activity() {
        const auto now = Clock::now();
        if (paused_by_sink) {
            paused_total += now - paused_since;
            paused_by_sink = false;
        }
        last_activity = now;
    }

    // Runs `body` so that no exception crosses libcurl's C frames: it is kept
    // and the transfer aborted with `failure`.
    template <typename Result, typename Body>
    Result guarded(Result failure, Body&& body) {
        try {
            return body();
        } catch (...) {
            callback_error = std::current_exception();
            return failure;
        }
    }

    // Decides, at the first body byte, where a 2xx body goes and whether a resumed one fits.
    void on_status() {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
        status_known = true;
        body_to_sink = sink && response.ok();
        const std::string encoding = response.header("content-encoding");
        const std::string length_text = response.header("content-length");
        std::optional<int64_t> length;
        if (!length_text.empty()) {
            length = parse_header_decimal(length_text);
            // libcurl ignores a Content-Length it cannot represent and reads to
            // the end of the connection; such an answer is not believed at all.
            if (!length)
                throw DataError("bad_response", description + ": HTTP " + std::to_string(response.status) +
                                                    " with an unusable Content-Length (" +
                                                    length_text.substr(0, 40) + ")");
        }
        if (length && encoding.empty()) {
            const int64_t limit = body_to_sink ? -1 : (sink ? kMaxErrorBodyBytes : max_body_bytes);
            if (limit >= 0 && *length > limit) {
                too_large = true;
                return;
            }
            deadline_bytes = *length;
        }
        if (!body_to_sink) return;
        if (response.status == 206) {
            const ContentRange range = parse_content_range(response.header("content-range"));
            if (range.first != resume_from) {
                range_refused = true;
                return;
            }
            response.entity_length = encoding.empty() ? range.total : -1;
        } else {
            skip = resume_from;  // a full body again: what the sink has is skipped
            if (encoding.empty() && length) response.entity_length = *length;
        }
    }

    static size_t on_header(char* data, size_t size, size_t count, void* user) {
        auto& self = *static_cast<Attempt*>(user);
        return self.guarded(size_t(0), [&] { return self.take_header(std::string_view(data, size * count)); });
    }

    size_t take_header(std::string_view line) {
        note_activity();
        // Each response of a redirect chain starts with its status line; only
        // the final response's headers are kept.
        if (line.starts_with("HTTP/")) {
            response.headers.clear();
        } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
            response.headers.emplace_back(lowercase(trim(line.substr(0, colon))),
                                               std::string(trim(line.substr(colon + 1))));
        }
        return line.size();
    }

    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto& self = *static_cast<Attempt*>(user);
        return self.guarded(size_t(0), [&] { return self.take_body(data, size * count); });
    }

    size_t take_body(char* data, size_t length) {
        note_activity();
        if (!status_known) on_status();
        if (range_refused || too_large) return 0;
        if (body_to_sink) {
            // Nothing changes until the sink has taken the bytes: after `full`,
            // libcurl offers the very same bytes again.
            const size_t skipped = size_t(std::min<int64_t>(skip, int64_t(length)));
            const std::span<const char> fresh = std::span<const char>(data, length).subspan(skipped);
            const SinkVerdict verdict =
                fresh.empty() ? SinkVerdict::taken : (*sink)(std::as_bytes(fresh));
            if (verdict == SinkVerdict::full) {
                if (on_engine) {
                    paused_by_sink = true;
                    paused_since = Clock::now();
                    return CURL_WRITEFUNC_PAUSE;
                }
                paused_without_engine = true;
                return 0;
            }
            if (verdict == SinkVerdict::stop) {
                response.aborted_by_sink = true;
                return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
            }
            skip -= int64_t(skipped);
            delivered_to_sink += int64_t(fresh.size());
            return length;
        }
        const int64_t limit = sink ? kMaxErrorBodyBytes : max_body_bytes;
        if (int64_t(response.body.size() + length) > limit) {
            too_large = true;
            return 0;
        }
        response.body.append(data, length);
        return length;
    }

    static int on_progress(void* user, curl_off_t, curl_off_t received, curl_off_t, curl_off_t sent) {
        auto& self = *static_cast<Attempt*>(user);
        return self.guarded(1, [&] { return self.check_progress(received, sent); });
    }

    // Non-zero ends the transfer (CURLE_ABORTED_BY_CALLBACK).
    int check_progress(curl_off_t received, curl_off_t sent) {
        if (stop_requested()) {
            interrupted = true;
            return 1;
        }
        if (should_abort && (*should_abort)()) {
            response.aborted_by_sink = true;
            return 1;
        }
        const auto now = Clock::now();
        if (paused_by_sink) return 0;  // our consumer lags: the server is not to blame
        // A byte either way is progress: an upload (push) receives nothing for a long time.
        if (received + sent != last_moved) {
            last_moved = received + sent;
            last_activity = now;
        }
        const double idle_s = std::chrono::duration<double>(now - last_activity).count();
        if (policy->stall_timeout_s > 0 && idle_s > policy->stall_timeout_s) {
            limit_hit = "no byte received for " + format_seconds(policy->stall_timeout_s) + " s (stall timeout)";
            return 1;
        }
        if (policy->min_transfer_rate > 0) {
            const double active_s = std::chrono::duration<double>(now - started - paused_total).count();
            const int64_t bytes = std::max<int64_t>(deadline_bytes, int64_t(received)) + upload_bytes;
            const double allowed_s = std::max(policy->stall_timeout_s, 1.0) + double(bytes) / policy->min_transfer_rate;
            if (active_s > allowed_s) {
                limit_hit = "not finished after " + format_seconds(std::round(active_s)) + " s (deadline for " +
                            std::to_string(bytes) + " bytes at " + format_seconds(policy->min_transfer_rate) +
                            " bytes/s minimum)";
                return 1;
            }
        }
        return 0;
    }
};

HttpSession::HttpSession(HttpPolicy policy) : policy_(policy) {}

void HttpSession::resume_receiving() {
    if (policy_.engine) policy_.engine->resume(easy_.get());
}

HttpResponse HttpSession::perform(const HttpRequest& request, int64_t max_body_bytes) {
    return perform_with_retries(request, max_body_bytes, nullptr, nullptr);
}

HttpResponse HttpSession::perform_streaming(const HttpRequest& request, const HttpBodySink& sink,
                                            const std::function<bool()>& should_abort) {
    return perform_with_retries(request, kMaxErrorBodyBytes, &sink, &should_abort);
}

CURLcode HttpSession::perform_once(const HttpRequest& request, Attempt& attempt) {
    // A value with CR or LF would smuggle headers (or a request) of its own.
    // The message names the header, never its value (it may be a credential).
    for (const auto& line : request.headers)
        if (!is_safe_header_value(line))
            throw DataError(lowercase(line).starts_with("authorization:") ? "unauthorized" : "bad_header",
                            attempt.description + ": the value of the " +
                                line.substr(0, std::min(line.find(':'), size_t(40))) +
                                " header contains control characters; not sent");
    easy_.reset();  // forget the previous request's options, keep its connection
    easy_.set(CURLOPT_URL, request.url.c_str());
    easy_.set(CURLOPT_NOSIGNAL, 1L);  // handles run on several threads
    easy_.set(CURLOPT_USERAGENT, "regcensus/" REGCENSUS_VERSION);
    easy_.set(CURLOPT_CONNECTTIMEOUT, policy_.connect_timeout_s);
    easy_.set(CURLOPT_TCP_KEEPALIVE, 1L);
    easy_.set(CURLOPT_SSL_VERIFYPEER, policy_.tls_verify ? 1L : 0L);
    easy_.set(CURLOPT_SSL_VERIFYHOST, policy_.tls_verify ? 2L : 0L);
    easy_.set(CURLOPT_PROTOCOLS_STR, "http,https");

    const bool is_read = request.method == "GET" || request.method == "HEAD";
    if (is_read) {
        // Registries redirect blob GETs to storage (S3, a CDN) with 307.
        easy_.set(CURLOPT_FOLLOWLOCATION, 1L);
        easy_.set(CURLOPT_MAXREDIRS, 5L);
        easy_.set(CURLOPT_REDIR_PROTOCOLS_STR, policy_.https_only ? "https" : "http,https");
        easy_.set(CURLOPT_UNRESTRICTED_AUTH, 0L);  // credentials never follow to another host
    }
    easy_.set(CURLOPT_ERRORBUFFER, attempt.curl_message);
    CurlHeaderList headers(request.headers);
    if (attempt.resume_from > 0 && attempt.send_range) headers.append("Range: bytes=" + std::to_string(attempt.resume_from) + "-");
    const bool has_content_type = std::any_of(request.headers.begin(), request.headers.end(), [](const auto& h) {
        return lowercase(h).starts_with("content-type:");
    });
    if (request.method == "HEAD") {
        easy_.set(CURLOPT_NOBODY, 1L);
    } else if (request.method == "POST" || request.method == "PUT") {
        if (request.method == "POST")
            easy_.set(CURLOPT_POST, 1L);
        else
            easy_.set(CURLOPT_CUSTOMREQUEST, "PUT");
        easy_.set(CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.size()));
        easy_.set(CURLOPT_POSTFIELDS, request.body.empty() ? "" : request.body.data());
        // libcurl would otherwise label the body as a form and wait for 100-continue.
        if (!has_content_type) headers.append("Content-Type:");
        headers.append("Expect:");
    } else if (request.method != "GET") {
        easy_.set(CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    easy_.set(CURLOPT_HTTPHEADER, headers.get());

    attempt.easy = easy_.get();
    easy_.set(CURLOPT_HEADERFUNCTION, &Attempt::on_header);
    easy_.set(CURLOPT_HEADERDATA, &attempt);
    easy_.set(CURLOPT_WRITEFUNCTION, &Attempt::on_body);
    easy_.set(CURLOPT_WRITEDATA, &attempt);
    // Always: the stall timeout, the deadline and the stop request live there.
    easy_.set(CURLOPT_NOPROGRESS, 0L);
    easy_.set(CURLOPT_XFERINFOFUNCTION, &Attempt::on_progress);
    easy_.set(CURLOPT_XFERINFODATA, &attempt);

    attempt.on_engine = policy_.engine != nullptr;
    const CURLcode code = policy_.engine ? policy_.engine->perform(easy_.get()) : curl_easy_perform(easy_.get());
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &attempt.response.status);
    char* effective_url = nullptr;
    if (curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &effective_url) == CURLE_OK && effective_url)
        attempt.response.effective_url = effective_url;
    easy_.set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));  // the list dies with this scope
    easy_.set(CURLOPT_ERRORBUFFER, static_cast<char*>(nullptr));       // and so does the buffer
    return code;
}

void HttpSession::log_retry(const HttpRequest& request, int retry_number, int retries, const std::string& cause,
                            std::chrono::milliseconds delay) const {
    if (!policy_.log_retries) return;  // a session that keeps its retries to itself (the /v2/ check)
    count_retry();                       // summarised at the end of a run; shown one by one with -v
    if (!log_enabled(LogLevel::debug)) return;
    const std::string line = "retry " + std::to_string(retry_number + 1) + "/" + std::to_string(retries) + " of " +
                             request.method + " " + without_query(request.url) + " in " +
                             std::to_string(delay.count()) + " ms: " + cause;
    log_line(LogLevel::debug, line);
}

HttpResponse HttpSession::perform_with_retries(const HttpRequest& request, int64_t max_body_bytes,
                                               const HttpBodySink* sink,
                                               const std::function<bool()>* should_abort) {
    int64_t delivered = 0;  // bytes the sink has, over all attempts
    bool send_range = true;
    // Retries used: of 429s, and of every other failure; each has its own allowance.
    int rate_limited_retries = 0, failure_retries = 0;
    const int rate_limited_allowed = policy_.rate_limited_retries < 0 ? policy_.retries : policy_.rate_limited_retries;
    const std::string description = request.method + " " + without_query(request.url);
    const auto interrupted = [&] {
        return DataError("interrupted", description + ": stopped by a signal");
    };
    for (int attempt_number = 0;; ++attempt_number) {
        if (stop_requested()) throw interrupted();
        if (policy_.before_attempt) policy_.before_attempt();
        Attempt attempt;
        attempt.policy = &policy_;
        attempt.description = description;
        attempt.deadline_bytes = sink ? -1 : max_body_bytes;
        attempt.upload_bytes = int64_t(request.body.size());
        attempt.sink = sink;
        attempt.should_abort = should_abort;
        attempt.max_body_bytes = max_body_bytes;
        attempt.resume_from = delivered;
        attempt.send_range = send_range;
        const CURLcode code = perform_once(request, attempt);
        HttpResponse& response = attempt.response;
        delivered += attempt.delivered_to_sink;
        response.delivered = delivered;
        if (policy_.after_attempt && response.status > 0) policy_.after_attempt(response);

        if (attempt.callback_error) std::rethrow_exception(attempt.callback_error);
        if (attempt.paused_without_engine)
            throw std::logic_error("HttpSession: a body sink answered `full` on a session without a TransferEngine");
        if (attempt.interrupted) throw interrupted();
        if (response.aborted_by_sink) return std::move(response);
        if (attempt.too_large)
            throw DataError("too_large", description + ": body exceeds " +
                                             std::to_string(sink ? kMaxErrorBodyBytes : max_body_bytes) + " bytes");
        // Only a streamed GET can resume; a buffered body is simply fetched again.
        const bool can_resume = sink && request.method == "GET";
        std::string failure;  // why this attempt failed, "" when it did not
        std::string status = "network";
        if (attempt.range_refused) {
            send_range = false;
            failure = "the resumed response does not continue at byte " + std::to_string(attempt.resume_from);
        } else if (!attempt.limit_hit.empty()) {
            failure = attempt.limit_hit;
        } else if (code != CURLE_OK) {
            // libcurl's own message names the detail (the host that did not resolve, the certificate problem).
            failure = attempt.curl_message[0] ? std::string(attempt.curl_message) : std::string(curl_easy_strerror(code));
            if (code == CURLE_PARTIAL_FILE) status = "truncated_transfer";
        } else if (is_retryable_http_status(response.status)) {
            failure = "HTTP " + std::to_string(response.status);
        } else if (sink && response.ok() && response.entity_length >= 0 && delivered < response.entity_length) {
            failure = "body ended at byte " + std::to_string(delivered) + " of " +
                      std::to_string(response.entity_length);
            status = "truncated_transfer";
        }
        if (failure.empty()) return std::move(response);
        const bool rate_limited = code == CURLE_OK && !attempt.range_refused && attempt.limit_hit.empty() &&
                                  response.status == 429;
        int& retries_used = rate_limited ? rate_limited_retries : failure_retries;
        const int retries_allowed = rate_limited ? rate_limited_allowed : policy_.retries;
        const bool may_retry = retries_used < retries_allowed && (delivered == 0 || can_resume) &&
                               !is_permanent_failure(code, policy_);
        if (!may_retry) {
            if (is_retryable_http_status(response.status) && code == CURLE_OK && !attempt.range_refused)
                return std::move(response);  // the caller maps the final status
            throw DataError(status, description + ": " + failure +
                                        (attempt_number > 0 ? " (after " + std::to_string(attempt_number) +
                                                                  " retries)"
                                                            : ""));
        }
        const auto delay = rate_limited ? rate_limited_delay(retries_used, response, policy_.max_pause)
                                        : backoff_delay(retries_used, response);
        log_retry(request, retries_used, retries_allowed,
                  failure + (delivered > 0 ? "; resuming at byte " + std::to_string(delivered) : ""), delay);
        ++retries_used;
        sleep_unless_aborted(delay, should_abort);
        if (stop_requested()) throw interrupted();
        if (should_abort && (*should_abort)()) {
            response.aborted_by_sink = true;
            return std::move(response);
        }
    }
}

}  // namespace regcensus
