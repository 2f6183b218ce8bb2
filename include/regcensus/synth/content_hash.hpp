#pragma once
// The content hash of the results contract: XXH3-128 of a file's bytes,
// written as 32 lowercase hex digits of its canonical (big-endian, high 64
// bits first) form.
#include <string>
#include <string_view>

namespace regcensus::synth {

std::string content_hash_hex(std::string_view bytes);

}  // namespace regcensus::synth
