#pragma once
// The one way regcensus writes an HDF5 file that something will trust later
// (shards, the plan, results.h5): into a temporary name beside the final one,
// checked to the last flush and close, then fsync + rename + directory fsync
// (util/atomic_file's commit_written_file).
#include <functional>
#include <string>

#include "regcensus/h5/h5_location.hpp"

namespace regcensus::h5 {

// Creates the file, lets `fill` write it, and puts it in place. On any failure
// the temporary is removed, whatever was at `final_path` is untouched, and
// std::runtime_error "cannot write FINAL_PATH: cause" is thrown (the cause as
// the system states it, e.g. "No space left on device").
void write_atomically(const std::string& final_path, const std::function<void(const File&)>& fill);

}  // namespace regcensus::h5
