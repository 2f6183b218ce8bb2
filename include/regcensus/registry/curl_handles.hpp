#pragma once
// The only place libcurl's C objects are owned: an easy handle, a multi handle,
// a header list and a URL handle, each in a small RAII type. Everything else in the registry
// module uses these wrappers and never calls curl_*_cleanup itself.
#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus {

// curl_global_init is not thread-safe on every libcurl build, so it runs once,
// before the first handle, from a function-local static.
void ensure_curl_global_init();

class CurlEasy {
public:
    CurlEasy();  // throws std::runtime_error when libcurl cannot allocate a handle
    CURL* get() const { return handle_.get(); }
    // Clears options but keeps the connection cache, so that consecutive
    // requests through one handle reuse their keep-alive connection.
    void reset() { curl_easy_reset(handle_.get()); }

    template <typename Value>
    void set(CURLoption option, Value value) {
        check_setopt(option, curl_easy_setopt(handle_.get(), option, value));
    }

private:
    static void check_setopt(CURLoption option, CURLcode code);
    struct Deleter {
        void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
    };
    std::unique_ptr<CURL, Deleter> handle_;
};

// A multi handle: many easy handles transferring at once from one thread, over
// one pool of keep-alive connections (see TransferEngine).
class CurlMulti {
public:
    CurlMulti();  // throws std::runtime_error when libcurl cannot allocate a handle
    CURLM* get() const { return handle_.get(); }

    template <typename Value>
    void set(CURLMoption option, Value value) {
        check(curl_multi_setopt(handle_.get(), option, value), "setopt");
    }
    // Throws std::runtime_error naming `what` unless `code` is CURLM_OK.
    static void check(CURLMcode code, const char* what);

private:
    struct Deleter {
        void operator()(CURLM* handle) const { curl_multi_cleanup(handle); }
    };
    std::unique_ptr<CURLM, Deleter> handle_;
};

class CurlHeaderList {
public:
    CurlHeaderList() = default;
    explicit CurlHeaderList(const std::vector<std::string>& lines);
    void append(const std::string& line);  // "Name: value"
    curl_slist* get() const { return list_.get(); }

private:
    struct Deleter {
        void operator()(curl_slist* list) const { curl_slist_free_all(list); }
    };
    std::unique_ptr<curl_slist, Deleter> list_;
};

// Resolves `reference` (absolute, host-relative "/v2/...", or path-relative)
// against `base`, as a browser would: the registry's Location and Link headers
// may be any of these. Throws std::invalid_argument on an unparsable URL.
std::string resolve_url(std::string_view base, std::string_view reference);

// (The origin of a URL: regcensus/registry/url_origin.hpp.)

// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_escape(std::string_view text);

}  // namespace regcensus
