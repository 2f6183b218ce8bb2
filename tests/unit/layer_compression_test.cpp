// Decompression by sniffed magic: gzip (single and multi-member), zstd
// (several frames, skippable frames) and plain tar give identical profiles,
// whatever the source's chunk size.
#include <gtest/gtest.h>

#include "layer_test_support.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::expect_same_figures;
using testing_support::TarBuilder;

std::string sample_tar() {
    TarBuilder tar;
    tar.dir("usr/").dir("usr/bin/").file("usr/bin/tool", testing_support::repeated("tool bytes ", 30000));
    tar.symlink("usr/bin/alias", "tool").file("etc/config.json", "{\"a\": 1}\n");
    tar.file("etc/.wh.old", "").file("var/cache/.wh..wh..opq", "");
    return tar.finish(4096);
}

class LayerCompression : public ::testing::TestWithParam<std::size_t> {};

TEST_P(LayerCompression, PlainTar) {
    const std::string tar = sample_tar();
    const auto a = analyze(tar, {}, {}, GetParam());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compression, "none");
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(tar.size()));
    EXPECT_EQ(a.profile.uncompressed_bytes, int64_t(tar.size()));
    EXPECT_EQ(a.profile.file_count, 2);
    EXPECT_EQ(a.profile.dir_count, 5);  // usr, usr/bin, etc, var, var/cache
    EXPECT_EQ(a.profile.max_depth, 2);
    EXPECT_EQ(a.profile.whiteout_count, 1);
    EXPECT_EQ(a.profile.opaque_count, 1);
}

TEST_P(LayerCompression, Gzip) {
    const std::string tar = sample_tar();
    const std::string blob = testing_support::gzip(tar);
    const auto a = analyze(blob, {}, {}, GetParam());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compression, "gzip");
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(blob.size()));
    expect_same_figures(a, analyze(tar));
}

TEST_P(LayerCompression, GzipMultiMember) {
    const std::string tar = sample_tar();
    // Split in the middle of an entry: members are not aligned with anything.
    const std::string blob = testing_support::gzip(tar.substr(0, 1000)) + testing_support::gzip(tar.substr(1000), 1);
    const auto a = analyze(blob, {}, {}, GetParam());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compression, "gzip");
    expect_same_figures(a, analyze(tar));
}

TEST_P(LayerCompression, ZstdFramesAndSkippableFrames) {
    const std::string tar = sample_tar();
    const std::string blob = testing_support::zstd(tar.substr(0, 5000)) +
                             testing_support::zstd_skippable_frame("metadata") +
                             testing_support::zstd(tar.substr(5000), 19);
    const auto a = analyze(blob, {}, {}, GetParam());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compression, "zstd");
    EXPECT_EQ(a.profile.compressed_bytes, int64_t(blob.size()));
    expect_same_figures(a, analyze(tar));
}

INSTANTIATE_TEST_SUITE_P(LayerChunkSizes, LayerCompression, ::testing::Values(1, 3, 7, 4096, std::size_t{1} << 20));

TEST(LayerCompressionMagic, MediaTypeIsNeverTrusted) {
    const std::string blob = testing_support::zstd(sample_tar());
    LayerExpectation expect;
    expect.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    const auto a = analyze(blob, expect);
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compression, "zstd");
    EXPECT_EQ(a.profile.media_type, expect.media_type);
}

TEST(LayerCompressionMagic, LargeGzipLayerIsExact) {
    // Several MiB of output: many 1 MiB decompressor chunks, files spanning them.
    TarBuilder tar;
    for (int i = 0; i < 12; ++i)
        tar.file("data/file" + std::to_string(i), testing_support::repeated(std::to_string(i) + "-payload;", 60000));
    const std::string plain = tar.finish();
    const auto a = analyze(testing_support::gzip(plain, 1));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.uncompressed_bytes, int64_t(plain.size()));
    expect_same_figures(a, analyze(plain));
}

TEST(LayerDigest, ComputedWhenNotExpected) {
    const std::string blob = testing_support::gzip(sample_tar());
    const auto a = analyze(blob);
    EXPECT_EQ(a.profile.digest, Sha256::digest_of(blob));
}

TEST(LayerDigest, VerifiedWhenExpected) {
    const std::string blob = testing_support::gzip(sample_tar());
    LayerExpectation expect;
    expect.digest = Sha256::digest_of(blob);
    expect.size = int64_t(blob.size());
    const auto a = analyze(blob, expect);
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.digest, expect.digest);
}

}  // namespace
}  // namespace regcensus

namespace regcensus {
namespace {

TEST(LayerCompressionMembers, EveryMemberCrcIsChecked) {
    const std::string tar = sample_tar();
    std::string second = testing_support::gzip(tar.substr(1000));
    second[second.size() - 8] ^= 0x01;
    const auto a = analyze(testing_support::gzip(tar.substr(0, 1000)) + second);
    EXPECT_EQ(a.profile.status, "corrupt") << a.profile.error;
}

TEST(LayerCompressionMembers, EmptyLayerGzip) {
    // What `docker build` stores for a layer without changes: 1024 zero bytes, gzipped.
    const auto a = analyze(testing_support::gzip(std::string(1024, '\0')));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.uncompressed_bytes, 1024);
    EXPECT_EQ(a.profile.file_count, 0);
    EXPECT_EQ(a.profile.dir_count, 0);
}

}  // namespace
}  // namespace regcensus
