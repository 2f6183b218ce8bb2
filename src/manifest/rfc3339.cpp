#include "regcensus/manifest/rfc3339.hpp"

#include <chrono>

namespace regcensus {

namespace {

// Reads exactly `digits` decimal digits at `position`; -1 when they are not there.
int read_number(std::string_view text, size_t& position, size_t digits) {
    if (position + digits > text.size()) return -1;
    int value = 0;
    for (size_t i = 0; i < digits; ++i) {
        const char c = text[position + i];
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    position += digits;
    return value;
}

bool expect(std::string_view text, size_t& position, std::string_view allowed) {
    if (position >= text.size() || allowed.find(text[position]) == std::string_view::npos) return false;
    ++position;
    return true;
}

}  // namespace

int64_t parse_rfc3339_seconds(std::string_view text) {
    size_t at = 0;
    const int year = read_number(text, at, 4);
    if (year < 0 || !expect(text, at, "-")) return -1;
    const int month = read_number(text, at, 2);
    if (month < 0 || !expect(text, at, "-")) return -1;
    const int day = read_number(text, at, 2);
    if (day < 0 || !expect(text, at, "Tt ")) return -1;
    const int hour = read_number(text, at, 2);
    if (hour < 0 || !expect(text, at, ":")) return -1;
    const int minute = read_number(text, at, 2);
    if (minute < 0 || !expect(text, at, ":")) return -1;
    const int second = read_number(text, at, 2);
    if (second < 0 || hour > 23 || minute > 59 || second > 60) return -1;  // 60: a leap second
    if (at < text.size() && text[at] == '.') {
        ++at;
        const size_t fraction_start = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
        if (at == fraction_start) return -1;
    }

    int offset_seconds = 0;
    if (at < text.size() && (text[at] == 'Z' || text[at] == 'z')) {
        ++at;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
        const int sign = text[at] == '-' ? -1 : 1;
        ++at;
        const int offset_hours = read_number(text, at, 2);
        if (offset_hours < 0 || !expect(text, at, ":")) return -1;
        const int offset_minutes = read_number(text, at, 2);
        if (offset_minutes < 0 || offset_hours > 23 || offset_minutes > 59) return -1;
        offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
    } else {
        return -1;  // RFC 3339 requires a zone
    }
    if (at != text.size()) return -1;

    const std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(unsigned(month)),
                                           std::chrono::day(unsigned(day))};
    if (!date.ok()) return -1;
    const int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
    const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
    return seconds < 0 ? -1 : seconds;
}

}  // namespace regcensus
