// Hostile and broken layers (issue 4's list) that layer_failure_test and
// layer_accounting_test do not already cover: absurd sizes, absolute names,
// a 100,000-component path, decompression bombs against the default limits,
// zstd windows beyond the decoder's memory cap. Each ends as a status on the
// layer's row, never as an exception or unbounded memory.
#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdlib>
#include <string>

#include "layer_test_support.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

// Bytes before " bytes from" in a ratio error: how far decompression went.
int64_t decompressed_before_stop(const std::string& error) {
    const auto end = error.find(" bytes from ");
    const auto start = error.rfind('(', end);
    if (end == std::string::npos || start == std::string::npos) return -1;
    return std::strtoll(error.c_str() + start + 1, nullptr, 10);
}

// The header of a regular file whose size field says `size` (octal, 11 digits).
std::string header_with_size(uint64_t size) {
    TarBuilder tar;
    tar.file("huge", "");
    std::string header = tar.without_end_blocks().substr(0, 512);
    std::snprintf(header.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
    std::memset(header.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    std::snprintf(header.data() + 148, 8, "%06o", sum);
    return header;
}

TEST(LayerBadInput, AbsurdSizeWithinTheLimitIsTruncated) {
    // 8 GiB announced, 4 KiB present.
    const auto a = analyze(testing_support::gzip(header_with_size(uint64_t{8} << 30) + std::string(4096, 'x')));
    EXPECT_EQ(a.profile.status, "truncated") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, -1);
}

TEST(LayerBadInput, AbsurdSizeBeyondTheLimitIsTooLarge) {
    // The largest 11-digit octal size (8 GiB - 1) against a 1 GiB limit: refused
    // before a byte of it is hashed.
    LayerLimits limits;
    limits.max_layer_bytes = int64_t{1} << 30;
    const auto a = analyze(header_with_size(077777777777) + std::string(4096, 'x'), {}, limits);
    EXPECT_EQ(a.profile.status, "too_large") << a.profile.error;
}

TEST(LayerBadInput, AbsoluteAndDotDotNamesAreCountedAsWritten) {
    TarBuilder tar;
    tar.file("/etc/passwd", "root").file("../../escape", "x").file("/../up", "y");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 3);
    ASSERT_EQ(a.files.size(), 3u);
    EXPECT_EQ(a.files[0].path, "etc/passwd");
    EXPECT_EQ(a.files[1].path, "../../escape");
    EXPECT_EQ(a.files[2].path, "../up");
    EXPECT_EQ(a.profile.dir_count, 3);  // etc, .., ../..
}

TEST(LayerBadInput, HundredThousandComponentPath) {
    const std::string deep = testing_support::repeated("a/", 100000) + "leaf";  // 200,004 bytes
    TarBuilder tar;
    tar.file(deep, "deep").file(testing_support::repeated("a/", 99999) + "b/other", "x");
    const auto a = analyze(testing_support::gzip(tar.finish()));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 2);
    EXPECT_EQ(a.profile.dir_count, 100001);  // a x 100,000, then "b" under the 99,999th
    EXPECT_EQ(a.profile.max_depth, 100000);
    EXPECT_EQ(a.profile.directory_depth.total(), 100001);
    ASSERT_EQ(a.files.size(), 2u);
    EXPECT_EQ(a.files[0].path, deep);
}

TEST(LayerBadInput, GigabyteOfZerosGzipBombStopsAtTheRatioLimit) {
    // 1 GiB of zeros in one tar entry, gzip -6: about 1 MB compressed (ratio
    // ~1030). Built as concatenated members so the test compresses 64 MiB once.
    TarBuilder head;
    head.file("zeros", "");
    const std::string zeros_member = testing_support::gzip(std::string(std::size_t{64} << 20, '\0'), 6);
    std::string bomb = testing_support::gzip(header_with_size(uint64_t{1} << 30), 6);
    for (int i = 0; i < 16; ++i) bomb += zeros_member;
    bomb += testing_support::gzip(std::string(1024, '\0'), 6);
    ASSERT_LT(bomb.size(), std::size_t{2} << 20);

    const LayerLimits defaults;
    const auto a = analyze(bomb);
    EXPECT_EQ(a.profile.status, "too_large");
    EXPECT_NE(a.profile.error.find("decompression ratio exceeds 100"), std::string::npos) << a.profile.error;
    // Stopped at the first check past ratio_check_min_bytes (1 MiB output chunks).
    const int64_t stopped_at = decompressed_before_stop(a.profile.error);
    EXPECT_GT(stopped_at, defaults.ratio_check_min_bytes);
    EXPECT_LE(stopped_at, defaults.ratio_check_min_bytes + (int64_t{1} << 20));
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(bomb.size()));  // still read whole for the digest
}

TEST(LayerBadInput, FastGzipOfZerosIsStillABomb) {
    // gzip -1 reaches only ~229:1 on zeros, still far above the default 100.
    TarBuilder tar;
    tar.file("zeros", std::string(std::size_t{80} << 20, '\0'));
    const auto a = analyze(testing_support::gzip(tar.finish(), 1));
    EXPECT_EQ(a.profile.status, "too_large") << a.profile.error;
}

// zstd with the given window and no content size in the frame header (the
// input is streamed, so the encoder cannot shrink the window to fit it).
std::string zstd_with_window(const std::string& plain, int window_log) {
    ZSTD_CCtx* cctx = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
    std::string out(ZSTD_compressBound(plain.size()) + 1024, '\0');
    ZSTD_inBuffer in{plain.data(), plain.size(), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue);
    ZSTD_inBuffer none{nullptr, 0, 0};
    while (ZSTD_compressStream2(cctx, &o, &none, ZSTD_e_end) != 0) {
    }
    ZSTD_freeCCtx(cctx);
    out.resize(o.pos);
    return out;
}

TEST(LayerBadInput, ZstdWindowAboveTheMemoryCapIsTooLarge) {
    TarBuilder tar;
    tar.file("f", "content");
    // A 64 MiB window (zstd --long=26): the decoder would allocate 64 MiB.
    const auto a = analyze(zstd_with_window(tar.finish(), 26));
    EXPECT_EQ(a.profile.status, "too_large") << a.profile.error;
    EXPECT_NE(a.profile.error.find("32 MiB"), std::string::npos) << a.profile.error;
    // A 32 MiB window (zstd --long=25) is accepted.
    const auto b = analyze(zstd_with_window(tar.finish(), 25));
    EXPECT_EQ(b.profile.status, "ok") << b.profile.error;
    EXPECT_EQ(b.profile.file_count, 1);
}

}  // namespace
}  // namespace regcensus

namespace regcensus {
namespace {

// A blob that never ends: `head`, then 1 MiB chunks of junk (up to a safety
// stop at 1 GiB, far beyond what the analyser may read).
class EndlessBlob final : public ByteSource {
public:
    explicit EndlessBlob(std::string head) : head_(std::move(head)), junk_(std::size_t{1} << 20, 'x') {}
    std::span<const std::byte> next() override {
        const std::string& chunk = yielded_ == 0 ? head_ : junk_;
        if (yielded_ > (int64_t{1} << 30)) return {};
        yielded_ += static_cast<int64_t>(chunk.size());
        return std::as_bytes(std::span(chunk.data(), chunk.size()));
    }
    int64_t yielded() const { return yielded_; }

private:
    std::string head_, junk_;
    int64_t yielded_ = 0;
};

TEST(LayerBadInput, AnEndlessBlobIsNotReadFarPastTheEndOfItsData) {
    testing_support::TarBuilder tar;
    tar.file("etc/motd", "hello\n");
    EndlessBlob blob(testing_support::gzip(tar.finish()));
    const auto a = analyze_layer(blob, {}, LayerLimits{});
    EXPECT_EQ(a.profile.status, "corrupt");
    EXPECT_NE(a.profile.error.find("beyond where its data ended; not read further (digest not checked)"),
              std::string::npos)
        << a.profile.error;
    // 64 MiB past where the decoder stopped (a chunk into the junk), and the chunk that crossed the bound.
    EXPECT_LE(blob.yielded(), int64_t{67} << 20);
    EXPECT_EQ(a.profile.file_count, -1);
}

}  // namespace
}  // namespace regcensus
