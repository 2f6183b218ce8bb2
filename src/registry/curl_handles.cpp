#include "regcensus/registry/curl_handles.hpp"

#include <cctype>
#include <stdexcept>

namespace regcensus {

void ensure_curl_global_init() {
    static const CURLcode init_result = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (init_result != CURLE_OK)
        throw std::runtime_error(std::string("libcurl: global init failed: ") + curl_easy_strerror(init_result));
}

CurlEasy::CurlEasy() {
    ensure_curl_global_init();
    handle_.reset(curl_easy_init());
    if (!handle_) throw std::runtime_error("libcurl: cannot create an easy handle");
}

void CurlEasy::check_setopt(CURLoption option, CURLcode code) {
    // A refused option is a build or programming fault (e.g. an option this
    // libcurl lacks), never a data error.
    if (code != CURLE_OK)
        throw std::runtime_error("libcurl: option " + std::to_string(int(option)) +
                                 " refused: " + curl_easy_strerror(code));
}

CurlMulti::CurlMulti() {
    ensure_curl_global_init();
    handle_.reset(curl_multi_init());
    if (!handle_) throw std::runtime_error("libcurl: cannot create a multi handle");
}

void CurlMulti::check(CURLMcode code, const char* what) {
    if (code != CURLM_OK)
        throw std::runtime_error(std::string("libcurl: multi ") + what + " failed: " + curl_multi_strerror(code));
}

CurlHeaderList::CurlHeaderList(const std::vector<std::string>& lines) {
    for (const auto& line : lines) append(line);
}

void CurlHeaderList::append(const std::string& line) {
    curl_slist* extended = curl_slist_append(list_.get(), line.c_str());
    if (!extended) throw std::bad_alloc();
    // curl_slist_append returns the same head when the list was non-empty.
    list_.release();
    list_.reset(extended);
}

namespace {

class CurlUrl {
public:
    CurlUrl() : handle_(curl_url()) {
        if (!handle_) throw std::bad_alloc();
    }
    void set_url(std::string_view url) {
        const std::string text(url);
        CURLUcode code = curl_url_set(handle_.get(), CURLUPART_URL, text.c_str(), 0);
        if (code != CURLUE_OK)
            throw std::invalid_argument("invalid URL '" + text + "': " + curl_url_strerror(code));
    }
    std::string get(CURLUPart part) const {
        char* text = nullptr;
        CURLUcode code = curl_url_get(handle_.get(), part, &text, 0);
        if (code != CURLUE_OK) throw std::invalid_argument(std::string("URL part missing: ") + curl_url_strerror(code));
        std::string result(text);
        curl_free(text);
        return result;
    }

private:
    struct Deleter {
        void operator()(CURLU* handle) const { curl_url_cleanup(handle); }
    };
    std::unique_ptr<CURLU, Deleter> handle_;
};

}  // namespace

std::string resolve_url(std::string_view base, std::string_view reference) {
    ensure_curl_global_init();
    CurlUrl url;
    url.set_url(base);
    // With a base already set, curl_url_set resolves a relative reference
    // against it (RFC 3986 section 5), and takes an absolute one as is.
    url.set_url(reference);
    return url.get(CURLUPART_URL);
}

std::string url_escape(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string escaped;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            escaped += char(c);
        } else {
            escaped += '%';
            escaped += hex[c >> 4];
            escaped += hex[c & 15];
        }
    }
    return escaped;
}

}  // namespace regcensus
