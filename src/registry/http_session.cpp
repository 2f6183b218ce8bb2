#include "regcensus/registry/http_session.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <stdexcept>
#include <thread>

#include "regcensus/registry/transfer_engine.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

namespace {

constexpr int64_t kMaxErrorBodyBytes = 64 << 10;

bool is_retryable_status(long status) {
    return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

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
    const std::string retry_after = response.header("retry-after");
    int64_t wanted_s = -1;
    if (!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit)) {
        wanted_s = retry_after.size() > 6 ? 999999 : std::stoll(retry_after);
    } else if (!retry_after.empty()) {
        const time_t when = curl_getdate(retry_after.c_str(), nullptr);
        if (when >= 0) wanted_s = std::max<int64_t>(0, int64_t(when - std::time(nullptr)));
    }
    if (wanted_s >= 0) delay_ms = std::max<int64_t>(delay_ms, std::min<int64_t>(wanted_s, 60) * 1000);
    return std::chrono::milliseconds(delay_ms);
}

// "bytes 100-999/1000" -> {100, 1000}; -1 for what is missing or unparsable.
std::pair<int64_t, int64_t> parse_content_range(std::string_view text) {
    if (!text.starts_with("bytes ")) return {-1, -1};
    text.remove_prefix(6);
    int64_t first = -1, total = -1;
    const size_t dash = text.find('-'), slash = text.find('/');
    if (dash != std::string_view::npos && dash > 0) {
        first = 0;
        for (char c : text.substr(0, dash)) {
            if (!std::isdigit(static_cast<unsigned char>(c))) return {-1, -1};
            first = first * 10 + (c - '0');
        }
    }
    if (slash != std::string_view::npos && slash + 1 < text.size() && text[slash + 1] != '*') {
        total = 0;
        for (char c : text.substr(slash + 1)) {
            if (!std::isdigit(static_cast<unsigned char>(c))) break;
            total = total * 10 + (c - '0');
        }
    }
    return {first, total};
}

// Sleeps in small slices so that an abandoned stream does not wait out a backoff.
void sleep_unless_aborted(std::chrono::milliseconds delay, const std::function<bool()>* should_abort) {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
        if (should_abort && (*should_abort)()) return;
        std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
            std::chrono::milliseconds(50), std::chrono::duration_cast<std::chrono::milliseconds>(
                                               until - std::chrono::steady_clock::now()) +
                                               std::chrono::milliseconds(1)));
    }
}

// Error messages name the URL without its query: upload URLs carry the
// registry's upload state there, and signed storage URLs their signatures.
std::string without_query(const std::string& url) { return url.substr(0, url.find('?')); }

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers)
        if (key == name) return value;
    return {};
}

struct HttpSession::Attempt {
    CURL* easy = nullptr;
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

    // Decides, at the first body byte, where a 2xx body goes and whether a resumed one fits.
    void on_status() {
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &response.status);
        status_known = true;
        body_to_sink = sink && response.ok();
        if (!body_to_sink) return;
        const std::string encoding = response.header("content-encoding");
        const std::string length = response.header("content-length");
        if (response.status == 206) {
            const auto [first, total] = parse_content_range(response.header("content-range"));
            if (first != resume_from) {
                range_refused = true;
                return;
            }
            response.entity_length = encoding.empty() ? total : -1;
        } else {
            skip = resume_from;  // a full body again: what the sink has is skipped
            if (encoding.empty() && !length.empty() && std::all_of(length.begin(), length.end(), ::isdigit))
                response.entity_length = std::stoll(length);
        }
    }

    static size_t on_header(char* data, size_t size, size_t count, void* user) {
        auto& self = *static_cast<Attempt*>(user);
        const std::string_view line(data, size * count);
        // Each response of a redirect chain starts with its status line; only
        // the final response's headers are kept.
        if (line.starts_with("HTTP/")) {
            self.response.headers.clear();
        } else if (auto colon = line.find(':'); colon != std::string_view::npos) {
            self.response.headers.emplace_back(lowercase(trim(line.substr(0, colon))),
                                               std::string(trim(line.substr(colon + 1))));
        }
        return size * count;
    }

    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto& self = *static_cast<Attempt*>(user);
        const size_t length = size * count;
        if (!self.status_known) self.on_status();
        if (self.range_refused) return 0;
        if (self.body_to_sink) {
            // Nothing changes until the sink has taken the bytes: after `full`,
            // libcurl offers the very same bytes again.
            const size_t skipped = size_t(std::min<int64_t>(self.skip, int64_t(length)));
            const std::span<const char> fresh = std::span<const char>(data, length).subspan(skipped);
            const SinkVerdict verdict =
                fresh.empty() ? SinkVerdict::taken : (*self.sink)(std::as_bytes(fresh));
            if (verdict == SinkVerdict::full) {
                if (self.on_engine) return CURL_WRITEFUNC_PAUSE;
                self.paused_without_engine = true;
                return 0;
            }
            if (verdict == SinkVerdict::stop) {
                self.response.aborted_by_sink = true;
                return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
            }
            self.skip -= int64_t(skipped);
            self.delivered_to_sink += int64_t(fresh.size());
            return length;
        }
        const int64_t limit = self.sink ? kMaxErrorBodyBytes : self.max_body_bytes;
        if (int64_t(self.response.body.size() + length) > limit) {
            self.too_large = true;
            return 0;
        }
        self.response.body.append(data, length);
        return length;
    }

    static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
        auto& self = *static_cast<Attempt*>(user);
        if (self.should_abort && (*self.should_abort)()) {
            self.response.aborted_by_sink = true;
            return 1;
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
    if (!attempt.sink) {
        // A stalled buffered request is abandoned; a stream is not, because its
        // consumer may legitimately hold the transfer back for a long time.
        easy_.set(CURLOPT_LOW_SPEED_LIMIT, 1L);
        easy_.set(CURLOPT_LOW_SPEED_TIME, 60L);
    }

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
    if (attempt.should_abort) {
        easy_.set(CURLOPT_NOPROGRESS, 0L);
        easy_.set(CURLOPT_XFERINFOFUNCTION, &Attempt::on_progress);
        easy_.set(CURLOPT_XFERINFODATA, &attempt);
    }

    attempt.on_engine = policy_.engine != nullptr;
    const CURLcode code = policy_.engine ? policy_.engine->perform(easy_.get()) : curl_easy_perform(easy_.get());
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &attempt.response.status);
    char* effective_url = nullptr;
    if (curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &effective_url) == CURLE_OK && effective_url)
        attempt.response.effective_url = effective_url;
    easy_.set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));  // the list dies with this scope
    return code;
}

void HttpSession::log_retry(const HttpRequest& request, int attempt_number, const std::string& cause,
                            std::chrono::milliseconds delay) const {
    if (!policy_.log_retries) return;
    // One write per line, so that lines of concurrent threads and ranks do not interleave.
    const std::string line = "regcensus: retry " + std::to_string(attempt_number + 1) + "/" +
                             std::to_string(policy_.retries) + " of " + request.method + " " +
                             without_query(request.url) + " in " + std::to_string(delay.count()) + " ms: " + cause +
                             "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

HttpResponse HttpSession::perform_with_retries(const HttpRequest& request, int64_t max_body_bytes,
                                               const HttpBodySink* sink,
                                               const std::function<bool()>* should_abort) {
    int64_t delivered = 0;  // bytes the sink has, over all attempts
    bool send_range = true;
    for (int attempt_number = 0;; ++attempt_number) {
        if (policy_.before_attempt) policy_.before_attempt();
        Attempt attempt;
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

        if (attempt.paused_without_engine)
            throw std::logic_error("HttpSession: a body sink answered `full` on a session without a TransferEngine");
        if (response.aborted_by_sink) return std::move(response);
        if (attempt.too_large)
            throw DataError("too_large", request.method + " " + without_query(request.url) + ": body exceeds " +
                                             std::to_string(max_body_bytes) + " bytes");
        // Only a streamed GET can resume; a buffered body is simply fetched again.
        const bool can_resume = sink && request.method == "GET";
        const bool may_retry = attempt_number < policy_.retries && (delivered == 0 || can_resume);
        std::string failure;  // why this attempt failed, "" when it did not
        std::string status = "network";
        if (attempt.range_refused) {
            send_range = false;
            failure = "the resumed response does not continue at byte " + std::to_string(attempt.resume_from);
        } else if (code != CURLE_OK) {
            failure = std::string(curl_easy_strerror(code));
            if (code == CURLE_PARTIAL_FILE) status = "truncated";
        } else if (is_retryable_status(response.status)) {
            failure = "HTTP " + std::to_string(response.status);
        } else if (sink && response.ok() && response.entity_length >= 0 && delivered < response.entity_length) {
            failure = "body ended at byte " + std::to_string(delivered) + " of " +
                      std::to_string(response.entity_length);
            status = "truncated";
        }
        if (failure.empty()) return std::move(response);
        if (!may_retry) {
            if (is_retryable_status(response.status) && code == CURLE_OK && !attempt.range_refused)
                return std::move(response);  // the caller maps the final status
            throw DataError(status, request.method + " " + without_query(request.url) + ": " + failure +
                                        (attempt_number > 0 ? " (after " + std::to_string(attempt_number) +
                                                                  " retries)"
                                                            : ""));
        }
        const auto delay = backoff_delay(attempt_number, response);
        log_retry(request, attempt_number, failure + (delivered > 0 ? "; resuming at byte " + std::to_string(delivered) : ""),
                  delay);
        sleep_unless_aborted(delay, should_abort);
        if (should_abort && (*should_abort)()) {
            response.aborted_by_sink = true;
            return std::move(response);
        }
    }
}

}  // namespace regcensus
