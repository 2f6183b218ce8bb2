#pragma once
// Wall-clock time as logs, provenance and lock records write it.
#include <chrono>
#include <string>

namespace regcensus {

// "2024-05-01T12:00:00Z" (UTC, whole seconds).
std::string utc_timestamp(std::chrono::system_clock::time_point time = std::chrono::system_clock::now());

}  // namespace regcensus
