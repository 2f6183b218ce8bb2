// The blob digest on a second thread (LayerLimits::hash_blob_in_background):
// the same digests, statuses and figures as hashing inline, over chunk sizes
// that cycle the ring of slots many times, and a mismatch still caught.
#include <gtest/gtest.h>

#include <string>

#include "background_digest.hpp"
#include "layer_test_support.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

std::string sample_layer() {
    TarBuilder tar;
    for (int i = 0; i < 200; ++i)
        tar.file("dir/file" + std::to_string(i), testing_support::repeated("line " + std::to_string(i) + "\n", 50 + i));
    return testing_support::gzip(tar.finish());
}

TEST(BackgroundDigest, SameDigestAsInlineForEveryChunkSize) {
    const std::string blob = sample_layer();
    const std::string want = Sha256::digest_of(blob);
    LayerLimits background;
    background.hash_blob_in_background = true;
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20}) {
        const auto inline_hashed = analyze(blob, {}, {}, chunk);
        const auto overlapped = analyze(blob, {}, background, chunk);
        ASSERT_EQ(overlapped.profile.status, "ok") << overlapped.profile.error;
        EXPECT_EQ(overlapped.profile.digest, want) << chunk;
        EXPECT_EQ(inline_hashed.profile.digest, want) << chunk;
        EXPECT_EQ(overlapped.profile.file_count, 200);
        EXPECT_EQ(overlapped.profile.uncompressed_bytes, inline_hashed.profile.uncompressed_bytes);
        ASSERT_EQ(overlapped.files.size(), inline_hashed.files.size());
        for (std::size_t i = 0; i < overlapped.files.size(); ++i)
            EXPECT_EQ(overlapped.files[i].hash, inline_hashed.files[i].hash);
    }
}

TEST(BackgroundDigest, MismatchAndCorruptionStillReported) {
    const std::string blob = sample_layer();
    LayerLimits background;
    background.hash_blob_in_background = true;
    LayerExpectation wrong;
    wrong.digest = Sha256::digest_of("something else");
    EXPECT_EQ(analyze(blob, wrong, background, 4096).profile.status, "digest_mismatch");
    std::string corrupt = blob;
    corrupt[corrupt.size() / 2] ^= 0x55;
    const auto broken = analyze(corrupt, {}, background, 4096);
    EXPECT_NE(broken.profile.status, "ok");
}

TEST(BackgroundDigest, DirectUseAndEarlyDestruction) {
    layer::BackgroundDigest digest(DigestAlgorithm::sha256);
    std::string all;
    for (int i = 0; i < 100; ++i) {
        const std::string piece(i + 1, char('a' + i % 26));
        const auto copy = digest.absorb(std::as_bytes(std::span(piece.data(), piece.size())));
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(copy.data()), copy.size()), piece);
        all += piece;
    }
    EXPECT_EQ(digest.finish_digest(), Sha256::digest_of(all));
    layer::BackgroundDigest abandoned(DigestAlgorithm::sha512);  // destroyed with work queued: joins cleanly
    abandoned.absorb(std::as_bytes(std::span(all.data(), all.size())));
}

}  // namespace
}  // namespace regcensus
