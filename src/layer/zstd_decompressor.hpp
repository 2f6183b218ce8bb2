#pragma once
// zstd through libzstd's streaming API (the only file that touches libzstd's
// decoder). Several frames in a row and skippable frames are handled by
// ZSTD_decompressStream itself.
#include <memory>

#include "decompressor.hpp"

struct ZSTD_DCtx_s;

namespace regcensus::layer {

class ZstdDecompressor final : public BufferedDecompressor {
public:
    ZstdDecompressor(VerifiedInput& input, std::size_t output_buffers);
    ~ZstdDecompressor() override;
    std::span<const std::byte> next() override;
    int64_t compressed_bytes_consumed() const override {
        return input_.bytes_read() - static_cast<int64_t>(input_chunk_.size() - input_position_);
    }

private:
    VerifiedInput& input_;
    struct ContextDeleter {
        void operator()(ZSTD_DCtx_s* context) const;
    };
    std::unique_ptr<ZSTD_DCtx_s, ContextDeleter> context_;
    std::span<const std::byte> input_chunk_;
    std::size_t input_position_ = 0;
    bool input_ended_ = false;
    // ZSTD_decompressStream's last hint: 0 once a frame is complete and flushed.
    std::size_t frame_pending_ = 1;
    bool last_call_filled_output_ = false;
};

}  // namespace regcensus::layer
