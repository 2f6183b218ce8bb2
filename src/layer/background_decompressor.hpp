#pragma once
// The inflate on a second thread, so that the tar walk, the content hashing
// and the typing of one chunk overlap the decoding of the next ones when the
// process has a core to spare (LayerLimits::use_spare_core). The inner
// decompressor decodes into its own ring of buffers; a decoded chunk is handed
// over without a copy, and the worker decodes into a buffer again only once
// the consumer has moved past the chunk that buffer held.
#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <thread>

#include "decompressor.hpp"

namespace regcensus::layer {

class BackgroundDecompressor final : public Decompressor {
public:
    // The number of output buffers `inner` needs (make_decompressor's argument).
    static constexpr std::size_t kBuffers = 16;

    // `inner` must hand out chunks valid for kBuffers calls (a BufferedDecompressor
    // made with kBuffers buffers); its input is only touched by the worker
    // thread until this object is destroyed.
    explicit BackgroundDecompressor(std::unique_ptr<Decompressor> inner);
    ~BackgroundDecompressor() override;
    BackgroundDecompressor(const BackgroundDecompressor&) = delete;
    BackgroundDecompressor& operator=(const BackgroundDecompressor&) = delete;

    // The chunks, the end and the errors of `inner`, in its order.
    std::span<const std::byte> next() override;
    // As `inner` reported it right after decoding the chunk last returned, so
    // the ratio check sees the same figures as without the second thread.
    int64_t compressed_bytes_consumed() const override { return consumed_; }

private:
    struct Decoded {
        std::span<const std::byte> chunk;  // empty at the end
        int64_t consumed = 0;
        std::exception_ptr error;
    };
    void decode_ahead();

    std::unique_ptr<Decompressor> inner_;
    std::array<Decoded, kBuffers> decoded_;  // chunk k in decoded_[k % kBuffers]
    std::size_t produced_ = 0, taken_ = 0;   // chunks decoded, chunks handed to the consumer
    bool finished_ = false;                  // the consumer has taken the end or an error
    bool stopping_ = false;
    int64_t consumed_ = 0;                   // the consumer's copy
    Decoded last_{};                         // the end or the error, repeated to later calls
    std::mutex mutex_;
    std::condition_variable changed_;
    std::thread thread_;  // last: starts once everything above exists
};

}  // namespace regcensus::layer
