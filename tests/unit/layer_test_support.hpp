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
#include <initializer_list>
#include <algorithm>
#include <utility>
#include <vector>
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

    // Mode, owner and mtime of the entries added from now on.
    TarBuilder& meta(uint32_t mode, uint64_t uid, uint64_t mtime) {
        mode_ = mode;
        uid_ = uid;
        mtime_ = mtime;
        return *this;
    }

    // A pre-POSIX (v7) header: no "ustar" magic, type '\0' for a file.
    TarBuilder& v7_file(std::string_view name, std::string_view content) {
        append_header(name, '\0', content, {}, Magic::v7);
        return *this;
    }

    // GNU tar's long names ('L') and long link targets ('K'): a pseudo entry
    // "././@LongLink" whose data is the full name, then the real header.
    TarBuilder& gnu_long(std::string_view name, char type, std::string_view content = {},
                         std::string_view link = {}) {
        if (name.size() >= 100)
            append_header("././@LongLink", 'L', std::string(name) + '\0', {}, Magic::gnu);
        if (link.size() >= 100)
            append_header("././@LongLink", 'K', std::string(link) + '\0', {}, Magic::gnu);
        append_header(name.substr(0, std::min<std::size_t>(name.size(), 99)), type, content,
                      link.substr(0, std::min<std::size_t>(link.size(), 99)), Magic::gnu);
        return *this;
    }

    // A pax extended header with the given "key=value" records, then the entry.
    TarBuilder& pax(std::initializer_list<std::pair<std::string, std::string>> records, std::string_view name,
                    char type, std::string_view content = {}) {
        std::string body;
        for (const auto& [key, value] : records) body += pax_record(key, value);
        append_header("PaxHeaders/x", 'x', body, {});
        append_header(name.substr(0, std::min<std::size_t>(name.size(), 100)), type, content, {});
        return *this;
    }

    // An old GNU sparse file (type 'S', up to 4 regions in the header): the
    // stored data is the regions' bytes one after the other.
    struct Region {
        uint64_t offset;
        std::string data;
    };
    TarBuilder& gnu_sparse(std::string_view name, uint64_t real_size, const std::vector<Region>& regions) {
        std::string stored;
        for (const auto& r : regions) stored += r.data;
        char h[kBlock] = {};
        fill_header(h, name, 'S', stored.size(), {}, Magic::gnu);
        for (std::size_t i = 0; i < regions.size() && i < 4; ++i) {
            put_octal(h + 386 + 24 * i, 12, regions[i].offset);
            put_octal(h + 386 + 24 * i + 12, 12, regions[i].data.size());
        }
        h[482] = 0;  // no extension blocks
        put_octal(h + 483, 12, real_size);
        seal(h);
        last_header_ = data_.size();
        data_.append(h, kBlock);
        append_data(stored);
        return *this;
    }

    // One pax record "<length> key=value\n", the length counting itself.
    static std::string pax_record(std::string_view key, std::string_view value) {
        const std::string record = " " + std::string(key) + "=" + std::string(value) + "\n";
        std::size_t length = record.size();
        while (std::to_string(length).size() + record.size() != length)
            length = std::to_string(length).size() + record.size();
        return std::to_string(length) + record;
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
    enum class Magic { ustar, gnu, v7 };

    static void put_octal(char* field, std::size_t width, uint64_t value) {
        std::snprintf(field, width, "%0*llo", int(width - 1), static_cast<unsigned long long>(value));
    }

    void fill_header(char* h, std::string_view name, char type, uint64_t size, std::string_view link,
                     Magic magic) const {
        name.copy(h, 100);
        put_octal(h + 100, 8, mode_);
        put_octal(h + 108, 8, uid_);
        put_octal(h + 116, 8, 0);
        put_octal(h + 124, 12, size);
        put_octal(h + 136, 12, mtime_);
        h[156] = type;
        link.copy(h + 157, 100);
        if (magic == Magic::ustar) {
            std::memcpy(h + 257, "ustar", 6);
            std::memcpy(h + 263, "00", 2);
        } else if (magic == Magic::gnu) {
            std::memcpy(h + 257, "ustar  ", 8);  // "ustar  \0": old GNU
        }
    }

    static void seal(char* h) {
        std::memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (unsigned char c : std::string_view(h, kBlock)) sum += c;
        std::snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, then the space already there
    }

    void append_data(std::string_view content) {
        data_.append(content);
        data_.append((kBlock - content.size() % kBlock) % kBlock, '\0');
    }

    void append_header(std::string_view name, char type, std::string_view content, std::string_view link,
                       Magic magic = Magic::ustar) {
        char h[kBlock] = {};
        fill_header(h, name, type, content.size(), link, magic);
        seal(h);
        last_header_ = data_.size();
        data_.append(h, kBlock);
        append_data(content);
    }

    std::string data_;
    std::size_t last_header_ = 0;
    uint32_t mode_ = 0644;
    uint64_t uid_ = 0;
    uint64_t mtime_ = 1700000000;
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

// The same layer seen twice (two compressions, two ways of reading it): the
// same figures and file records.
inline void expect_same_figures(const LayerAnalysis& a, const LayerAnalysis& b) {
    EXPECT_EQ(a.profile.uncompressed_bytes, b.profile.uncompressed_bytes);
    EXPECT_EQ(a.profile.file_count, b.profile.file_count);
    EXPECT_EQ(a.profile.file_bytes, b.profile.file_bytes);
    EXPECT_EQ(a.profile.dir_count, b.profile.dir_count);
    EXPECT_EQ(a.profile.max_depth, b.profile.max_depth);
    EXPECT_EQ(a.profile.symlink_count, b.profile.symlink_count);
    EXPECT_EQ(a.profile.whiteout_count, b.profile.whiteout_count);
    EXPECT_EQ(a.profile.opaque_count, b.profile.opaque_count);
    ASSERT_EQ(a.files.size(), b.files.size());
    for (std::size_t i = 0; i < a.files.size(); ++i) {
        EXPECT_EQ(a.files[i].hash, b.files[i].hash);
        EXPECT_EQ(a.files[i].path, b.files[i].path);
        EXPECT_EQ(a.files[i].type, b.files[i].type);
    }
}

inline std::string repeated(std::string_view piece, std::size_t times) {
    std::string out;
    out.reserve(piece.size() * times);
    for (std::size_t i = 0; i < times; ++i) out += piece;
    return out;
}

}  // namespace regcensus::testing_support
