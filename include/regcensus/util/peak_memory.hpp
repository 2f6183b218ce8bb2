#pragma once
// This process's peak resident memory from the kernel (Linux /proc): VmHWM of
// /proc/self/status, and its reset by writing "5" to /proc/self/clear_refs
// (Linux >= 4.0) so that a phase measures its own peak, not the run's so far.
#include <cstdint>
#include <optional>
#include <string>

namespace regcensus {

// VmHWM in KiB, or nothing when the status file has no such line (not Linux).
std::optional<int64_t> peak_resident_kib(const std::string& status_path = "/proc/self/status");

// Resets the high-water mark to the current resident size; false when the
// kernel refuses (older kernel, restricted /proc): peaks then count from the
// start of the process.
bool reset_peak_resident(const std::string& clear_refs_path = "/proc/self/clear_refs");

}  // namespace regcensus
