#include "verified_input.hpp"

#include <cstring>
#include <utility>

namespace regcensus::layer {

std::string_view compression_name(Compression compression) {
    switch (compression) {
        case Compression::gzip: return "gzip";
        case Compression::zstd: return "zstd";
        case Compression::none: break;
    }
    return "none";
}

VerifiedInput::VerifiedInput(ByteSource& source, std::string_view expected_digest, bool read_in_background)
    : source_(source), hasher_(hasher_for(expected_digest)) {
    if (read_in_background) background_ = std::make_unique<BackgroundReader>(source_, hasher_.algorithm());
}

std::string VerifiedInput::finish_digest() {
    return background_ ? background_->finish_digest() : hasher_.finish_digest();
}

std::span<const std::byte> VerifiedInput::pull() {
    if (ended_) return {};
    std::span<const std::byte> chunk;
    try {
        chunk = background_ ? background_->next() : source_.next();
    } catch (const DataError& error) {
        source_error_ = error;
        ended_ = true;
        throw;
    }
    if (chunk.empty()) {
        ended_ = true;
    } else {
        if (!background_) hasher_.update(chunk);
        bytes_read_ += static_cast<int64_t>(chunk.size());
    }
    return chunk;
}

Compression VerifiedInput::sniff_compression() {
    constexpr std::size_t kMagicBytes = 4;
    if (pending_.empty()) {
        pending_ = pull();
        // A source may hand out tiny chunks: gather enough bytes for the magic.
        if (!pending_.empty() && pending_.size() < kMagicBytes) {
            sniff_buffer_.assign(pending_.begin(), pending_.end());
            while (sniff_buffer_.size() < kMagicBytes) {
                const auto more = pull();
                if (more.empty()) break;
                sniff_buffer_.insert(sniff_buffer_.end(), more.begin(), more.end());
            }
            pending_ = sniff_buffer_;
        }
    }
    const auto starts_with = [&](std::string_view magic) {
        return pending_.size() >= magic.size() && std::memcmp(pending_.data(), magic.data(), magic.size()) == 0;
    };
    if (starts_with("\x1f\x8b")) return Compression::gzip;
    if (starts_with("\x28\xb5\x2f\xfd")) return Compression::zstd;
    return Compression::none;
}

std::span<const std::byte> VerifiedInput::next() {
    if (!pending_.empty()) return std::exchange(pending_, {});
    return pull();
}

bool VerifiedInput::drain(int64_t max_total_bytes) {
    pending_ = {};
    try {
        while (!ended_ && bytes_read_ <= max_total_bytes) pull();
    } catch (const DataError&) {
        // Recorded by pull(); the caller reports it.
    }
    return ended_ && !source_error_;
}

}  // namespace regcensus::layer
