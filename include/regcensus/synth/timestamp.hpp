#pragma once
// RFC 3339 timestamps for image configs ("2019-05-30T12:00:00Z"), computed
// with integer civil-calendar arithmetic so no time zone database or locale
// can change them.
#include <cstdint>
#include <string>

namespace regcensus::synth {

// `nanoseconds` > 0 adds a 9-digit fraction, as docker writes it.
std::string format_rfc3339(int64_t unix_seconds, int64_t nanoseconds = 0);

}  // namespace regcensus::synth
