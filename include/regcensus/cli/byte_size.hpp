#pragma once
// Sizes on the command line and in job files: a number with an optional unit
// (docs/cli.md, "Sizes"). K, M, G, T and KiB, MiB, GiB, TiB are powers of
// 1024 (as Slurm's --mem); kB, MB, GB, TB are powers of 1000; B or no unit
// is bytes. `--help` prints defaults back in the same notation.
#include <boost/any.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus::cli {

// An option value in bytes; bound with po::value<ByteSize>() so that Boost
// parses it through validate() below.
struct ByteSize {
    uint64_t bytes = 0;
};

// Nothing for a malformed size, a negative one or one past 2^63 bytes.
std::optional<uint64_t> parse_byte_size(std::string_view text);

// The shortest exact spelling: "2GiB", "64KiB", "1000" (plain bytes when no
// binary unit divides the value).
std::string format_byte_size(uint64_t bytes);

// Boost.Program_options hook (found by argument-dependent lookup).
void validate(boost::any& value, const std::vector<std::string>& texts, ByteSize*, int);

}  // namespace regcensus::cli
