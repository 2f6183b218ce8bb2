// Layer failures become statuses, never exceptions: digest and size checks,
// truncated and corrupt compression, broken tar streams, limits, and the
// precedence between them.
#include <gtest/gtest.h>

#include "layer_test_support.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

std::string sample_tar() {
    TarBuilder tar;
    tar.dir("app/").file("app/main.py", "#!/usr/bin/python3\nprint('hi')\n");
    tar.file("app/data.bin", testing_support::repeated("\x01\x02\x03 binary", 20000));
    return tar.finish();
}

void expect_failed(const LayerAnalysis& a, const std::string& status) {
    EXPECT_EQ(a.profile.status, status) << a.profile.error;
    EXPECT_FALSE(a.profile.error.empty());
    EXPECT_FALSE(a.profile.ok());
    EXPECT_GE(a.profile.compressed_bytes, 0);
    EXPECT_EQ(a.profile.uncompressed_bytes, -1);
    EXPECT_EQ(a.profile.file_count, -1);
    EXPECT_EQ(a.profile.file_bytes, -1);
    EXPECT_EQ(a.profile.dir_count, -1);
    EXPECT_EQ(a.profile.max_depth, -1);
    EXPECT_EQ(a.profile.symlink_count, -1);
    EXPECT_EQ(a.profile.hardlink_count, -1);
    EXPECT_EQ(a.profile.other_count, -1);
    EXPECT_EQ(a.profile.whiteout_count, -1);
    EXPECT_EQ(a.profile.opaque_count, -1);
    EXPECT_TRUE(a.files.empty());
    EXPECT_EQ(a.profile.file_size.total(), 0);
}

TEST(LayerFailure, DigestMismatch) {
    const std::string blob = testing_support::gzip(sample_tar());
    LayerExpectation expect;
    expect.digest = Sha256::digest_of("something else");
    const auto a = analyze(blob, expect);
    expect_failed(a, "digest_mismatch");
    EXPECT_EQ(a.profile.digest, expect.digest);
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(blob.size()));
    EXPECT_EQ(a.profile.compression, "gzip");
    EXPECT_NE(a.profile.error.find(Sha256::digest_of(blob)), std::string::npos);
}

TEST(LayerFailure, DigestMismatchWinsOverCorruptData) {
    std::string blob = testing_support::gzip(sample_tar());
    const std::string original_digest = Sha256::digest_of(blob);
    blob[blob.size() / 2] ^= 0x55;  // damaged in transit
    blob += std::string(100000, 'x');  // and the drain must read all of it
    LayerExpectation expect;
    expect.digest = original_digest;
    const auto a = analyze(blob, expect, {}, 4096);
    expect_failed(a, "digest_mismatch");
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(blob.size()));
}

TEST(LayerFailure, SizeMismatch) {
    const std::string blob = testing_support::gzip(sample_tar());
    LayerExpectation expect;
    expect.digest = Sha256::digest_of(blob);
    expect.size = int64_t(blob.size()) + 1;
    expect_failed(analyze(blob, expect), "size_mismatch");
}

TEST(LayerFailure, TruncatedGzip) {
    const std::string blob = testing_support::gzip(sample_tar());
    const auto a = analyze(blob.substr(0, blob.size() / 2));
    expect_failed(a, "truncated");
    EXPECT_EQ(a.profile.compression, "gzip");
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(blob.size() / 2));
}

TEST(LayerFailure, GzipWithoutItsTrailer) {
    // The whole tar decompresses, but the CRC/length trailer is missing.
    const std::string blob = testing_support::gzip(sample_tar());
    expect_failed(analyze(blob.substr(0, blob.size() - 4)), "truncated");
}

TEST(LayerFailure, CorruptGzipData) {
    std::string blob = testing_support::gzip(sample_tar());
    for (std::size_t i = 20; i < 60; ++i) blob[i] = char(0xff);
    expect_failed(analyze(blob), "corrupt");
}

TEST(LayerFailure, GzipCrcMismatch) {
    std::string blob = testing_support::gzip(sample_tar());
    blob[blob.size() - 8] ^= 0x01;  // first byte of the CRC-32
    const auto a = analyze(blob);
    expect_failed(a, "corrupt");
    EXPECT_NE(a.profile.error.find("gzip"), std::string::npos);
}

TEST(LayerFailure, GarbageAfterGzipMember) {
    const std::string blob = testing_support::gzip(sample_tar()) + "garbage";
    expect_failed(analyze(blob), "corrupt");
}

TEST(LayerFailure, CorruptZstd) {
    std::string blob = testing_support::zstd(sample_tar());
    for (std::size_t i = 12; i < 40; ++i) blob[i] = char(0xa5);
    expect_failed(analyze(blob), "corrupt");
}

TEST(LayerFailure, TruncatedZstd) {
    const std::string blob = testing_support::zstd(sample_tar());
    const auto a = analyze(blob.substr(0, blob.size() - 3));
    expect_failed(a, "truncated");
    EXPECT_EQ(a.profile.compression, "zstd");
}

TEST(LayerFailure, TarHeaderChecksum) {
    TarBuilder tar;
    tar.file("a", "1").file("b", "2");
    std::string bytes = tar.finish();
    bytes[tar.last_header_offset() + 1] = 'X';  // name changed, checksum not updated
    const auto a = analyze(bytes);
    expect_failed(a, "corrupt");
    EXPECT_NE(a.profile.error.find("tar"), std::string::npos);
}

TEST(LayerFailure, TarCutInsideAnEntry) {
    TarBuilder tar;
    tar.file("a", testing_support::repeated("x", 5000));
    expect_failed(analyze(tar.without_end_blocks().substr(0, 2048)), "truncated");
    // Also when compressed: the gzip stream is complete, the tar in it is not.
    expect_failed(analyze(testing_support::gzip(tar.without_end_blocks().substr(0, 2048))), "truncated");
}

TEST(LayerFailure, TarCutInsideAHeader) {
    TarBuilder tar;
    tar.file("a", "1").file("b", "2");
    expect_failed(analyze(tar.without_end_blocks().substr(0, 1024 + 100)), "truncated");
}

TEST(LayerFailure, TarWithoutEndBlocksIsAccepted) {
    // Decision (docs/layer-analysis.md): a stream that stops cleanly at an
    // entry boundary is read as complete, as libarchive, GNU tar and Go do.
    TarBuilder tar;
    tar.file("a", "1").file("b/c", "2");
    const auto a = analyze(testing_support::gzip(tar.without_end_blocks()));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 2);
    EXPECT_EQ(a.profile.dir_count, 1);
    EXPECT_EQ(a.profile.uncompressed_bytes, 2048);
}

TEST(LayerFailure, NotATar) {
    expect_failed(analyze(testing_support::repeated("this is not a tar archive\n", 100)), "corrupt");
    expect_failed(analyze(testing_support::gzip(testing_support::repeated("plain text\n", 100))), "corrupt");
}

TEST(LayerFailure, TooLargeByLayerBytes) {
    LayerLimits limits;
    limits.max_layer_bytes = 4096;
    const std::string blob = testing_support::gzip(sample_tar());
    const auto a = analyze(blob, {}, limits);
    expect_failed(a, "too_large");
    EXPECT_EQ(a.profile.compression, "gzip");
}

TEST(LayerFailure, TooLargeByRatio) {
    TarBuilder tar;
    tar.file("zeros", std::string(4 << 20, '\0'));
    const std::string blob = testing_support::gzip(tar.finish(), 9);
    LayerLimits limits;
    limits.max_ratio = 50;
    limits.ratio_check_min_bytes = 1 << 20;
    const auto a = analyze(blob, {}, limits);
    expect_failed(a, "too_large");
    EXPECT_NE(a.profile.error.find("decompression ratio"), std::string::npos);
    // The same layer is fine with the default limits (small outputs are not judged).
    EXPECT_EQ(analyze(blob).profile.status, "ok");
}

TEST(LayerFailure, TooLargeDigestMismatchStillWins) {
    LayerLimits limits;
    limits.max_layer_bytes = 4096;
    const std::string blob = testing_support::gzip(sample_tar());
    LayerExpectation expect;
    expect.digest = Sha256::digest_of("other");
    expect_failed(analyze(blob, expect, limits), "digest_mismatch");
}

// A source whose transfer fails part way: its status wins, since the blob was never seen whole.
class FailingSource final : public ByteSource {
public:
    explicit FailingSource(std::string bytes) : bytes_(std::move(bytes)) {}
    std::span<const std::byte> next() override {
        if (served_) throw DataError("network", "connection reset");
        served_ = true;
        return std::as_bytes(std::span(bytes_.data(), bytes_.size() / 2));
    }

private:
    std::string bytes_;
    bool served_ = false;
};

TEST(LayerFailure, SourceErrorIsReported) {
    FailingSource source(testing_support::gzip(sample_tar()));
    LayerExpectation expect;
    expect.digest = Sha256::digest_of("whatever");
    const auto a = analyze_layer(source, expect);
    expect_failed(a, "network");
    EXPECT_EQ(a.profile.error, "connection reset");
}

}  // namespace
}  // namespace regcensus
