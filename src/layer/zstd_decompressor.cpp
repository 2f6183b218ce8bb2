#include "zstd_decompressor.hpp"

#include <zstd.h>
#include <zstd_errors.h>

#include <stdexcept>
#include <string>

namespace regcensus::layer {
namespace {

constexpr int kMaxWindowLog = 25;  // 32 MiB

}  // namespace


void ZstdDecompressor::ContextDeleter::operator()(ZSTD_DCtx_s* context) const { ZSTD_freeDCtx(context); }

ZstdDecompressor::ZstdDecompressor(VerifiedInput& input, std::size_t output_buffers)
    : BufferedDecompressor(output_buffers), input_(input), context_(ZSTD_createDCtx()) {
    if (!context_) throw std::bad_alloc();
    // The decoder allocates the window a frame asks for. Capped at 32 MiB
    // (below libzstd's default 128 MiB) so that a layer stream stays under
    // 64 MiB of memory: levels 1-19, containerd's and BuildKit's writers use
    // 8 MiB windows at most; larger ones (zstd --ultra -21/-22, --long) are
    // refused with status too_large rather than allocated.
    const std::size_t set = ZSTD_DCtx_setParameter(context_.get(), ZSTD_d_windowLogMax, kMaxWindowLog);
    if (ZSTD_isError(set)) throw std::logic_error(std::string("zstd: ") + ZSTD_getErrorName(set));
}

ZstdDecompressor::~ZstdDecompressor() = default;

std::span<const std::byte> ZstdDecompressor::next() {
    const std::span<std::byte> output = take_output_buffer();
    while (true) {
        if (input_position_ == input_chunk_.size() && !input_ended_) {
            input_chunk_ = input_.next();
            input_position_ = 0;
            input_ended_ = input_chunk_.empty();
        }
        const bool have_input = input_position_ < input_chunk_.size();
        if (!have_input && !last_call_filled_output_) {
            if (frame_pending_ != 0)
                throw DataError("truncated", "zstd stream ends inside a frame");
            return {};
        }
        ZSTD_inBuffer in{input_chunk_.data(), input_chunk_.size(), input_position_};
        ZSTD_outBuffer out{output.data(), output.size(), 0};
        const std::size_t hint = ZSTD_decompressStream(context_.get(), &out, &in);
        if (ZSTD_isError(hint)) {
            const std::string what = std::string("zstd: ") + ZSTD_getErrorName(hint);
            if (ZSTD_getErrorCode(hint) == ZSTD_error_frameParameter_windowTooLarge)
                throw DataError("too_large", what + " (window above the 32 MiB decoder limit)");
            throw DataError("corrupt", what);
        }
        input_position_ = in.pos;
        frame_pending_ = hint;
        last_call_filled_output_ = out.pos == out.size;
        if (out.pos > 0) return output.first(out.pos);
    }
}

}  // namespace regcensus::layer
