#pragma once
// Test helpers for the layer analyser: a hand-made tar writer (full control
// over names, types, padding, end blocks and damage), gzip and zstd
// compressors, and a shortcut to analyse bytes held in memory.
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/util/memory_byte_source.hpp"

namespace regcensus::testing_support {

class TarBuilder {
public:
    static constexpr std::size_t kBlock = 512;

    TarBuilder& file(std::string_view name, std::string_view content, char type = '0') {
        return entry(name, type, content);
    }
    TarBuilder& dir(std::string_view name) { return entry(name, '5'); }
    TarBuilder& symlink(std::string_view name, std::string_view target) { return entry(name, '2', {}, target); }
    TarBuilder& hardlink(std::string_view name, std::string_view target) { return entry(name, '1', {}, target); }
    TarBuilder& char_device(std::string_view name) { return entry(name, '3'); }
    TarBuilder& block_device(std::string_view name) { return entry(name, '4'); }
    TarBuilder& fifo(std::string_view name) { return entry(name, '6'); }

    // Any entry; names longer than 100 bytes go through a pax "path" record.
    TarBuilder& entry(std::string_view name, char type, std::string_view content = {},
                      std::string_view link = {}) {
        if (name.size() > 100) {
            std::string record = " path=" + std::string(name) + "\n";
            // The record's length prefix counts itself.
            std::size_t length = record.size();
            while (std::to_string(length).size() + record.size() != length)
                length = std::to_string(length).size() + record.size();
            append_header("PaxHeaders/long", 'x', std::to_string(length) + record, {});
            append_header(name.substr(0, 100), type, content, link);
        } else {
            append_header(name, type, content, link);
        }
        return *this;
    }

    // The archive so far with its two end blocks, then `padding` more zero bytes.
    std::string finish(std::size_t padding = 0) const {
        return data_ + std::string(2 * kBlock + padding, '\0');
    }
    // The archive without end blocks: a writer that stopped at an entry boundary.
    const std::string& without_end_blocks() const { return data_; }

    // Offset of the header of the last entry added (to damage it in tests).
    std::size_t last_header_offset() const { return last_header_; }

private:
    static void put_octal(char* field, std::size_t width, uint64_t value) {
        std::snprintf(field, width, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
    }

    void append_header(std::string_view name, char type, std::string_view content, std::string_view link) {
        char h[kBlock] = {};
        name.copy(h, 100);
        put_octal(h + 100, 8, 0644);
        put_octal(h + 108, 8, 0);
        put_octal(h + 116, 8, 0);
        put_octal(h + 124, 12, content.size());
        put_octal(h + 136, 12, 1700000000);
        h[156] = type;
        link.copy(h + 157, 100);
        std::memcpy(h + 257, "ustar", 6);
        std::memcpy(h + 263, "00", 2);
        std::memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (unsigned char c : std::string_view(h, kBlock)) sum += c;
        std::snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, then the space already there
        last_header_ = data_.size();
        data_.append(h, kBlock);
        data_.append(content);
        data_.append((kBlock - content.size() % kBlock) % kBlock, '\0');
    }

    std::string data_;
    std::size_t last_header_ = 0;
};

inline std::string gzip(std::string_view data, int level = 6) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, data.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

inline std::string zstd(std::string_view data, int level = 3) {
    std::string out(ZSTD_compressBound(data.size()), '\0');
    const std::size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
    EXPECT_FALSE(ZSTD_isError(size));
    out.resize(size);
    return out;
}

// A zstd skippable frame (magic 0x184D2A50, little-endian length, payload).
inline std::string zstd_skippable_frame(std::string_view payload) {
    std::string frame("\x50\x2a\x4d\x18", 4);
    const auto length = static_cast<uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) frame += static_cast<char>((length >> (8 * i)) & 0xff);
    return frame + std::string(payload);
}

inline LayerAnalysis analyze(std::string_view blob, const LayerExpectation& expect = {},
                             const LayerLimits& limits = {}, std::size_t chunk = std::size_t{1} << 20) {
    MemoryByteSource source(blob, chunk);
    return analyze_layer(source, expect, limits);
}

inline std::string repeated(std::string_view piece, std::size_t times) {
    std::string out;
    out.reserve(piece.size() * times);
    for (std::size_t i = 0; i < times; ++i) out += piece;
    return out;
}

}  // namespace regcensus::testing_support
