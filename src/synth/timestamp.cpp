#include "regcensus/synth/timestamp.hpp"

#include <cstdio>

namespace regcensus::synth {

std::string format_rfc3339(int64_t unix_seconds, int64_t nanoseconds) {
    // Howard Hinnant's civil_from_days.
    int64_t days = unix_seconds / 86400;
    int64_t second_of_day = unix_seconds % 86400;
    if (second_of_day < 0) {
        second_of_day += 86400;
        --days;
    }
    days += 719468;
    const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const int64_t day_of_era = days - era * 146097;
    const int64_t year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int64_t mp = (5 * day_of_year + 2) / 153;
    const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
    const int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);

    char buffer[64];
    int length = std::snprintf(buffer, sizeof buffer, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld",
                               static_cast<long long>(year), static_cast<long long>(month), static_cast<long long>(day),
                               static_cast<long long>(second_of_day / 3600), static_cast<long long>(second_of_day / 60 % 60),
                               static_cast<long long>(second_of_day % 60));
    if (nanoseconds > 0)
        length += std::snprintf(buffer + length, sizeof buffer - length, ".%09lld", static_cast<long long>(nanoseconds));
    std::snprintf(buffer + length, sizeof buffer - length, "Z");
    return buffer;
}

}  // namespace regcensus::synth
