#include "decompressor.hpp"

#include <algorithm>

#include "gzip_decompressor.hpp"
#include "zstd_decompressor.hpp"

namespace regcensus::layer {
namespace {

// An uncompressed tar: the blob's own chunks, without a copy.
class PassThrough final : public Decompressor {
public:
    explicit PassThrough(VerifiedInput& input) : input_(input) {}
    std::span<const std::byte> next() override { return input_.next(); }
    int64_t compressed_bytes_consumed() const override { return input_.bytes_read(); }

private:
    VerifiedInput& input_;
};

}  // namespace

BufferedDecompressor::BufferedDecompressor(std::size_t output_buffers)
    : buffers_(std::max<std::size_t>(output_buffers, 1)) {}

std::span<std::byte> BufferedDecompressor::take_output_buffer() {
    auto& buffer = buffers_[taken_++ % buffers_.size()];
    if (buffer.empty()) buffer.resize(kDecompressedChunkBytes);  // allocated on first use only
    return buffer;
}

std::unique_ptr<Decompressor> make_decompressor(Compression compression, VerifiedInput& input,
                                                std::size_t output_buffers) {
    switch (compression) {
        case Compression::gzip: return std::make_unique<GzipDecompressor>(input, output_buffers);
        case Compression::zstd: return std::make_unique<ZstdDecompressor>(input, output_buffers);
        case Compression::none: break;
    }
    return std::make_unique<PassThrough>(input);
}

}  // namespace regcensus::layer
