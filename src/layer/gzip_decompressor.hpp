#pragma once
// gzip through ISA-L's streaming inflate (the only file that touches ISA-L).
// Multi-member streams (concatenated gzip members, as pigz and some registries
// write them) are decompressed as one stream; each member's CRC-32 and length
// are verified.
#include <memory>

#include "decompressor.hpp"

struct inflate_state;

namespace regcensus::layer {

class GzipDecompressor final : public BufferedDecompressor {
public:
    GzipDecompressor(VerifiedInput& input, std::size_t output_buffers);
    ~GzipDecompressor() override;
    std::span<const std::byte> next() override;
    int64_t compressed_bytes_consumed() const override;

private:
    bool refill_input();

    VerifiedInput& input_;
    struct StateDeleter {
        void operator()(inflate_state* state) const;
    };
    std::unique_ptr<inflate_state, StateDeleter> state_;  // large (tens of KiB): on the heap
    bool input_ended_ = false;
    bool last_call_filled_output_ = false;
};

}  // namespace regcensus::layer
