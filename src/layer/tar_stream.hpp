#pragma once
// The decompressed tar stream as the tar reader sees it: counts its bytes
// (the layer's uncompressed_bytes) and enforces the size and ratio limits
// against decompression bombs before any more work is spent.
#include <cstdint>
#include <span>

#include "decompressor.hpp"
#include "regcensus/layer/layer_analyzer.hpp"

namespace regcensus::layer {

class TarStream {
public:
    TarStream(Decompressor& decompressor, const LayerLimits& limits)
        : decompressor_(decompressor), limits_(limits) {}

    // Next chunk; empty at the end. Throws DataError ("too_large", or the
    // decompressor's "truncated" / "corrupt").
    std::span<const std::byte> next();

    // Reads whatever follows (bytes after the tar end blocks count too).
    void drain();

    int64_t bytes() const { return bytes_; }
    bool ended() const { return ended_; }

private:
    void check_limits() const;

    Decompressor& decompressor_;
    const LayerLimits& limits_;
    int64_t bytes_ = 0;
    bool ended_ = false;
};

}  // namespace regcensus::layer
