#include "gzip_decompressor.hpp"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <string>

namespace regcensus::layer {
namespace {

std::string inflate_error_text(int code) {
    switch (code) {
        case ISAL_INVALID_BLOCK: return "invalid deflate block";
        case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
        case ISAL_INVALID_LOOKBACK: return "invalid deflate lookback distance";
        case ISAL_INVALID_WRAPPER: return "invalid gzip header";
        case ISAL_UNSUPPORTED_METHOD: return "unsupported gzip compression method";
        case ISAL_INCORRECT_CHECKSUM: return "gzip CRC or length check failed";
        case ISAL_NEED_DICT: return "deflate stream needs a preset dictionary";
        default: return "inflate error " + std::to_string(code);
    }
}

}  // namespace

void GzipDecompressor::StateDeleter::operator()(inflate_state* state) const { delete state; }

GzipDecompressor::GzipDecompressor(VerifiedInput& input, std::size_t output_buffers)
    : BufferedDecompressor(output_buffers), input_(input), state_(new inflate_state) {
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;  // parse the gzip wrapper, verify CRC-32 and ISIZE
}

GzipDecompressor::~GzipDecompressor() = default;

int64_t GzipDecompressor::compressed_bytes_consumed() const {
    return input_.bytes_read() - static_cast<int64_t>(state_->avail_in);
}

bool GzipDecompressor::refill_input() {
    if (state_->avail_in > 0) return true;
    if (input_ended_) return false;
    const auto chunk = input_.next();
    if (chunk.empty()) {
        input_ended_ = true;
        return false;
    }
    // ISA-L counts input in 32 bits; sources hand out chunks far below that.
    state_->next_in = reinterpret_cast<uint8_t*>(const_cast<std::byte*>(chunk.data()));
    state_->avail_in = static_cast<uint32_t>(std::min<std::size_t>(chunk.size(), UINT32_MAX));
    return true;
}

std::span<const std::byte> GzipDecompressor::next() {
    inflate_state& s = *state_;
    const std::span<std::byte> output = take_output_buffer();
    while (true) {
        const bool have_input = refill_input();
        if (s.block_state == ISAL_BLOCK_FINISH) {
            if (!have_input) return {};  // clean end after a complete member
            // More bytes after a complete member: the next member of a
            // multi-member stream. Anything else is refused, as Go's gzip
            // reader (and so containerd) refuses it; checking the magic here
            // also reports short trailing garbage as corrupt, not truncated.
            if (s.next_in[0] != 0x1f || (s.avail_in > 1 && s.next_in[1] != 0x8b))
                throw DataError("corrupt", "gzip: data after the last member is not a gzip member");
            isal_inflate_reset(&s);  // keeps next_in/avail_in and crc_flag
        } else if (!have_input && !last_call_filled_output_) {
            throw DataError("truncated", "gzip stream ends before the end of its last member");
        }
        s.next_out = reinterpret_cast<uint8_t*>(output.data());
        s.avail_out = static_cast<uint32_t>(output.size());
        const uint32_t input_before = s.avail_in;
        const auto state_before = s.block_state;
        const int code = isal_inflate(&s);
        if (code < 0 || code == ISAL_NEED_DICT)
            throw DataError("corrupt", "gzip: " + inflate_error_text(code));
        const std::size_t produced = output.size() - s.avail_out;
        // Never spin in the census's hot loop, whatever the input.
        if (produced == 0 && s.avail_in == input_before && s.avail_in > 0 && s.block_state == state_before)
            throw DataError("corrupt", "gzip: the decoder made no progress");
        // A full output buffer may leave decoded bytes inside ISA-L: call again
        // even when the input is exhausted.
        last_call_filled_output_ = s.avail_out == 0;
        if (produced > 0) return output.first(produced);
    }
}

}  // namespace regcensus::layer
