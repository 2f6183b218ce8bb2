#pragma once
// An output path that cannot be written is a bad invocation found before any
// work (exit 2), not an error hours later when the result is ready.
#include <string>

namespace regcensus::cli {

// Throws UsageError naming `option`, the path and the cause when `path` could
// not be created or replaced: its directory is missing or not writable, or the
// path is a directory. Probes by creating (and removing) a file beside it.
void check_output_writable(const std::string& option, const std::string& path);

}  // namespace regcensus::cli
