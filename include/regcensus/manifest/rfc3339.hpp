#pragma once
// The timestamps of image configs: RFC 3339 as Go's time.Time marshals them.
#include <cstdint>
#include <string_view>

namespace regcensus {

// "2019-03-05T23:05:17.123456789Z" or "...+02:00" -> Unix seconds (fraction
// dropped). -1 when unparseable, and for instants before 1970: builders write
// Go's zero time (year 1) to mean "unknown", and -1 is the census's "unknown".
int64_t parse_rfc3339_seconds(std::string_view text);

}  // namespace regcensus
