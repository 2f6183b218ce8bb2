#include "regcensus/registry/http_header_values.hpp"

#include <curl/curl.h>

#include <ctime>
#include <limits>
#include <string>

namespace regcensus {

namespace {

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace

std::optional<int64_t> parse_header_decimal(std::string_view text) {
    text = trim_blanks(text);
    if (text.empty()) return std::nullopt;
    int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        const int digit = c - '0';
        if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

ContentRange parse_content_range(std::string_view text) {
    text = trim_blanks(text);
    if (!text.starts_with("bytes ")) return {};
    text.remove_prefix(6);
    const size_t dash = text.find('-'), slash = text.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return {};
    ContentRange range;
    const auto first = parse_header_decimal(text.substr(0, dash));
    const auto last = parse_header_decimal(text.substr(dash + 1, slash - dash - 1));
    if (!first || !last || *last < *first) return {};
    range.first = *first;
    if (const auto total = parse_header_decimal(text.substr(slash + 1)); total && *total > *last) range.total = *total;
    return range;
}

std::optional<int64_t> parse_retry_after_seconds(std::string_view text) {
    text = trim_blanks(text);
    if (text.empty()) return std::nullopt;
    if (text.find_first_not_of("0123456789") == std::string_view::npos)
        return parse_header_decimal(text).value_or(std::numeric_limits<int64_t>::max());
    const std::string date(text);
    const time_t when = curl_getdate(date.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    const time_t now = std::time(nullptr);
    return when > now ? int64_t(when - now) : 0;
}

bool is_safe_header_value(std::string_view value) {
    for (char c : value) {
        const auto byte = static_cast<unsigned char>(c);
        if ((byte < 0x20 && byte != '\t') || byte == 0x7f) return false;
    }
    return true;
}

}  // namespace regcensus
