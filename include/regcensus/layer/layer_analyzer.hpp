#pragma once
// The streaming layer analyser: verifies the blob's digest and size while
// reading, decompresses by sniffed magic (gzip via ISA-L, zstd, or none), walks
// the tar stream with libarchive and accounts every entry. Nothing is ever
// written to disk. Data problems never throw: they become the profile's status.
#include <cstdint>
#include <string>

#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/util/byte_source.hpp"

namespace regcensus {

struct LayerExpectation {
    std::string digest;        // "sha256:<hex>"; empty = do not verify
    int64_t size = -1;         // descriptor size; -1 = do not check
    std::string media_type;    // copied to the profile, never trusted for format
};

struct LayerLimits {
    int64_t max_layer_bytes = int64_t{1} << 40;  // decompressed bytes
    double max_ratio = 1000.0;                   // decompressed / compressed
    // The ratio is only checked once this many bytes have been decompressed,
    // so small, very compressible layers are not flagged.
    int64_t ratio_check_min_bytes = int64_t{64} << 20;
};

LayerAnalysis analyze_layer(ByteSource& blob, const LayerExpectation& expect,
                            const LayerLimits& limits = {});

}  // namespace regcensus
