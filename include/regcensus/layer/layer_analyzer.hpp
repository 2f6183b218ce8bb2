#pragma once
// The streaming layer analyser: verifies the blob's digest and size while
// reading, decompresses by sniffed magic (gzip via ISA-L, zstd, or none), walks
// the tar stream with libarchive and accounts every entry. Nothing is ever
// written to disk. Data problems never throw: they become the profile's status.
#include <cstdint>
#include <string>
#include <string_view>

#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/util/byte_source.hpp"

namespace regcensus {

struct LayerExpectation {
    std::string digest;        // "sha256:<hex>"; empty = do not verify
    int64_t size = -1;         // descriptor size; -1 = do not check
    std::string media_type;    // copied to the profile, never trusted for format
};

// Defaults chosen in docs/layer-analysis.md ("Limits"): far above any real
// layer, far below what a decompression bomb reaches.
struct LayerLimits {
    // Decompressed bytes (and logical bytes of regular files, sparse holes
    // included). Real layers stay below a few tens of GiB.
    int64_t max_layer_bytes = int64_t{256} << 30;
    // Decompressed / compressed bytes consumed so far. Whole real layers stay
    // below ~20; deflate reaches 229 (gzip -1) to 1032 (gzip -6..-9) on zeros.
    double max_ratio = 100.0;
    // The ratio is only checked once this many bytes have been decompressed,
    // so small, very compressible layers are not flagged.
    int64_t ratio_check_min_bytes = int64_t{64} << 20;
    // Bytes of file paths kept in full per layer (the shard's /files path
    // column). Beyond them a path longer than kShortenedPathBytes is kept
    // shortened, ending in kShortenedPathMarker, so a layer of long hostile
    // names costs a bounded amount of memory (docs/trust.md).
    int64_t max_kept_path_bytes = int64_t{64} << 20;
    // Read and hash the blob, and inflate it, on threads of their own,
    // overlapping the tar walk, the content hashing and the typing: for a
    // layer with a CPU to spare (analyze-layer with two CPUs or more; in run,
    // a rank with two CPUs per analysis worker). Same results either way.
    bool use_spare_core = false;
};

// The length of a shortened path, marker included, and its marker.
inline constexpr std::size_t kShortenedPathBytes = 256;
inline constexpr std::string_view kShortenedPathMarker = "\xe2\x80\xa6[shortened]";

LayerAnalysis analyze_layer(ByteSource& blob, const LayerExpectation& expect,
                            const LayerLimits& limits = {});

}  // namespace regcensus
