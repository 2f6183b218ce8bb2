#include "decompressor.hpp"

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

std::unique_ptr<Decompressor> make_decompressor(Compression compression, VerifiedInput& input) {
    switch (compression) {
        case Compression::gzip: return std::make_unique<GzipDecompressor>(input);
        case Compression::zstd: return std::make_unique<ZstdDecompressor>(input);
        case Compression::none: break;
    }
    return std::make_unique<PassThrough>(input);
}

}  // namespace regcensus::layer
