#include "regcensus/registry/http_session.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>
#include <thread>

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
    // A 429/503 may say how long to wait; honour it within reason.
    const std::string retry_after = response.header("retry-after");
    if (!retry_after.empty() && std::all_of(retry_after.begin(), retry_after.end(), ::isdigit))
        delay_ms = std::max<int64_t>(delay_ms, std::min<int64_t>(std::stoll(retry_after), 60) * 1000);
    return std::chrono::milliseconds(delay_ms);
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
    int64_t delivered_to_sink = 0;
    bool status_known = false;
    bool body_to_sink = false;
    bool too_large = false;

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
        if (!self.status_known) {
            curl_easy_getinfo(self.easy, CURLINFO_RESPONSE_CODE, &self.response.status);
            self.status_known = true;
            self.body_to_sink = self.sink && self.response.ok();
        }
        if (self.body_to_sink) {
            if (!(*self.sink)(std::as_bytes(std::span(data, length)))) {
                self.response.aborted_by_sink = true;
                return 0;  // makes libcurl abort the transfer with CURLE_WRITE_ERROR
            }
            self.delivered_to_sink += int64_t(length);
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

    const CURLcode code = curl_easy_perform(easy_.get());
    curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &attempt.response.status);
    char* effective_url = nullptr;
    if (curl_easy_getinfo(easy_.get(), CURLINFO_EFFECTIVE_URL, &effective_url) == CURLE_OK && effective_url)
        attempt.response.effective_url = effective_url;
    easy_.set(CURLOPT_HTTPHEADER, static_cast<curl_slist*>(nullptr));  // the list dies with this scope
    return code;
}

HttpResponse HttpSession::perform_with_retries(const HttpRequest& request, int64_t max_body_bytes,
                                               const HttpBodySink* sink,
                                               const std::function<bool()>* should_abort) {
    for (int attempt_number = 0;; ++attempt_number) {
        Attempt attempt;
        attempt.sink = sink;
        attempt.should_abort = should_abort;
        attempt.max_body_bytes = max_body_bytes;
        const CURLcode code = perform_once(request, attempt);
        HttpResponse& response = attempt.response;

        if (response.aborted_by_sink) return std::move(response);
        if (attempt.too_large)
            throw DataError("too_large", request.method + " " + without_query(request.url) + ": body exceeds " +
                                             std::to_string(max_body_bytes) + " bytes");
        const bool may_retry = attempt_number < policy_.retries && attempt.delivered_to_sink == 0;
        if (code != CURLE_OK) {
            if (may_retry) {
                sleep_unless_aborted(backoff_delay(attempt_number, response), should_abort);
                continue;
            }
            const std::string status = code == CURLE_PARTIAL_FILE ? "truncated" : "network";
            throw DataError(status, request.method + " " + without_query(request.url) + ": " + curl_easy_strerror(code) +
                                        (attempt_number > 0 ? " (after " + std::to_string(attempt_number) +
                                                                  " retries)"
                                                            : ""));
        }
        if (is_retryable_status(response.status) && may_retry) {
            sleep_unless_aborted(backoff_delay(attempt_number, response), should_abort);
            if (should_abort && (*should_abort)()) {
                response.aborted_by_sink = true;
                return std::move(response);
            }
            continue;
        }
        return std::move(response);
    }
}

}  // namespace regcensus
