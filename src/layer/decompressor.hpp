#pragma once
// The decompressed stream of a layer, pulled chunk by chunk from its verified
// compressed input. One implementation per compression, chosen by magic bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "verified_input.hpp"

namespace regcensus::layer {

// Output chunks are about this large: big enough that per-chunk costs vanish,
// small enough that memory stays bounded whatever the layer size.
inline constexpr std::size_t kDecompressedChunkBytes = std::size_t{1} << 20;

class Decompressor {
public:
    virtual ~Decompressor() = default;
    // The next decompressed chunk; empty at the clean end of the stream.
    // Throws DataError("truncated" | "corrupt" | "too_large"). A chunk stays
    // valid until output_buffers() further calls (one: until the next call).
    virtual std::span<const std::byte> next() = 0;
    // Compressed bytes the decoder has actually used so far. The blob is read
    // ahead in 1 MiB chunks, so the bytes read would let a small bomb (whole in
    // its first chunk) look 1 MiB large; the decompression ratio is judged
    // against this instead.
    virtual int64_t compressed_bytes_consumed() const = 0;
    virtual std::size_t output_buffers() const { return 1; }
};

// A decompressor that decodes into its own buffers, taken in turn, so that a
// consumer on another thread (BackgroundDecompressor) can read one chunk while
// the next ones are decoded.
class BufferedDecompressor : public Decompressor {
public:
    std::size_t output_buffers() const final { return buffers_.size(); }

protected:
    explicit BufferedDecompressor(std::size_t output_buffers);
    // The buffer the next chunk is decoded into; call once per next().
    std::span<std::byte> take_output_buffer();

private:
    std::vector<std::vector<std::byte>> buffers_;
    std::size_t taken_ = 0;
};

// `output_buffers` > 1 only for gzip and zstd: an uncompressed tar hands out
// the blob's own chunks, valid until the next call whatever is asked.
std::unique_ptr<Decompressor> make_decompressor(Compression compression, VerifiedInput& input,
                                                std::size_t output_buffers = 1);

}  // namespace regcensus::layer
