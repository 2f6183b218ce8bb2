#pragma once
// A ByteSource over bytes already in memory, handed out in chunks of a chosen
// size, so tests can exercise chunk boundaries (even one byte at a time).
#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "regcensus/util/byte_source.hpp"

namespace regcensus {

class MemoryByteSource final : public ByteSource {
public:
    // The bytes are copied, so the source owns what it hands out.
    explicit MemoryByteSource(std::string_view bytes, std::size_t chunk_bytes = std::size_t{1} << 20)
        : bytes_(bytes), chunk_bytes_(std::max<std::size_t>(chunk_bytes, 1)) {}

    std::span<const std::byte> next() override {
        const std::size_t length = std::min(chunk_bytes_, bytes_.size() - position_);
        const auto* start = reinterpret_cast<const std::byte*>(bytes_.data()) + position_;
        position_ += length;
        return {start, length};
    }

private:
    std::string bytes_;
    std::size_t chunk_bytes_;
    std::size_t position_ = 0;
};

}  // namespace regcensus
