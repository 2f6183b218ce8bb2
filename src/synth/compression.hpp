#pragma once
// Layer compression of the corpus: gzip through zlib (level 6, like docker),
// zstd through libzstd (level 3), or none. The zlib and zstd states live in
// RAII sinks so an exception mid-layer leaks nothing.
#include <memory>
#include <string>
#include <string_view>

#include "regcensus/synth/byte_sink.hpp"

namespace regcensus::synth {

enum class Compression { none, gzip, zstd };

// "gzip", "zstd" or "none": the `compression` column of /layers.
std::string_view compression_name(Compression compression);

// A sink that compresses into `downstream` and finishes it on finish().
std::unique_ptr<ByteSink> make_compressing_sink(Compression compression, ByteSink& downstream);

// A whole buffer as one gzip member (for gzip files inside layers).
std::string gzip_bytes(std::string_view plain, int level);

}  // namespace regcensus::synth
