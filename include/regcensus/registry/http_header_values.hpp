#pragma once
// Reading and writing HTTP header values that come from (or go to) a server
// nobody here controls: numbers are parsed with overflow checks (a
// Content-Length of 2^70 is an answer to refuse, not a reason to crash), and
// values we send are checked for the characters that would split a header.
#include <cstdint>
#include <optional>
#include <string_view>

namespace regcensus {

// A non-negative decimal integer of digits only (surrounding blanks allowed),
// nullopt when empty, not all digits, or above INT64_MAX.
std::optional<int64_t> parse_header_decimal(std::string_view text);

struct ContentRange {
    int64_t first = -1;  // first byte position, -1 when absent or unparsable
    int64_t total = -1;  // complete length, -1 when "*", absent or unparsable
};
// "bytes 100-999/1000" -> {100, 1000}.
ContentRange parse_content_range(std::string_view text);

// Retry-After as seconds from now: delta-seconds (saturating at INT64_MAX
// instead of overflowing) or an HTTP date; nullopt when neither.
std::optional<int64_t> parse_retry_after_seconds(std::string_view text);

// True when `value` may be sent as a header value: no control characters
// (CR, LF, NUL, any other C0 or DEL) that would end or split the header line.
bool is_safe_header_value(std::string_view value);

}  // namespace regcensus
