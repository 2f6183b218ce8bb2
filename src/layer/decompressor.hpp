#pragma once
// The decompressed stream of a layer, pulled chunk by chunk from its verified
// compressed input. One implementation per compression, chosen by magic bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "verified_input.hpp"

namespace regcensus::layer {

class Decompressor {
public:
    virtual ~Decompressor() = default;
    // The next decompressed chunk, valid until the following call; empty at
    // the clean end of the stream. Throws DataError("truncated" | "corrupt").
    virtual std::span<const std::byte> next() = 0;
    // Compressed bytes the decoder has actually used so far. The blob is read
    // ahead in 1 MiB chunks, so the bytes read would let a small bomb (whole in
    // its first chunk) look 1 MiB large; the decompression ratio is judged
    // against this instead.
    virtual int64_t compressed_bytes_consumed() const = 0;
};

// Output chunks are about this large: big enough that per-chunk costs vanish,
// small enough that memory stays bounded whatever the layer size.
inline constexpr std::size_t kDecompressedChunkBytes = std::size_t{1} << 20;

std::unique_ptr<Decompressor> make_decompressor(Compression compression, VerifiedInput& input);

}  // namespace regcensus::layer
