// The blob read and hashed on a second thread (LayerLimits::use_spare_core):
// the same digests, statuses and figures as reading inline, over chunk sizes
// that cycle the ring of slots many times, for gzip and zstd; a mismatch, a
// corruption and a failing source still reported exactly as inline.
#include <gtest/gtest.h>

#include <string>

#include "background_reader.hpp"
#include "layer_test_support.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/memory_byte_source.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

std::string sample_tar() {
    TarBuilder tar;
    for (int i = 0; i < 200; ++i)
        tar.file("dir/file" + std::to_string(i), testing_support::repeated("line " + std::to_string(i) + "\n", 50 + i));
    return tar.finish();
}

LayerLimits spare_core() {
    LayerLimits limits;
    limits.use_spare_core = true;
    return limits;
}

void expect_same_analysis(const LayerAnalysis& overlapped, const LayerAnalysis& inline_read) {
    EXPECT_EQ(overlapped.profile.status, inline_read.profile.status);
    EXPECT_EQ(overlapped.profile.error, inline_read.profile.error);
    EXPECT_EQ(overlapped.profile.digest, inline_read.profile.digest);
    EXPECT_EQ(overlapped.profile.compressed_bytes, inline_read.profile.compressed_bytes);
    testing_support::expect_same_figures(overlapped, inline_read);
}

TEST(BackgroundReader, SameAnalysisAsInlineForEveryChunkSizeAndCompression) {
    for (const std::string& blob : {testing_support::gzip(sample_tar()), testing_support::zstd(sample_tar())}) {
        const std::string want = Sha256::digest_of(blob);
        for (std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{4096}, std::size_t{1} << 20}) {
            const auto inline_read = analyze(blob, {}, {}, chunk);
            const auto overlapped = analyze(blob, {}, spare_core(), chunk);
            ASSERT_EQ(overlapped.profile.status, "ok") << overlapped.profile.error;
            EXPECT_EQ(overlapped.profile.digest, want) << chunk;
            EXPECT_EQ(overlapped.profile.file_count, 200);
            expect_same_analysis(overlapped, inline_read);
        }
    }
}

TEST(BackgroundReader, MismatchCorruptionAndTruncationReportedAsInline) {
    const std::string blob = testing_support::gzip(sample_tar());
    LayerExpectation wrong;
    wrong.digest = Sha256::digest_of("something else");
    EXPECT_EQ(analyze(blob, wrong, spare_core(), 4096).profile.status, "digest_mismatch");
    std::string corrupt = blob;
    corrupt[corrupt.size() / 2] ^= 0x55;
    const auto broken = analyze(corrupt, {}, spare_core(), 4096);
    EXPECT_EQ(broken.profile.status, "corrupt");
    expect_same_analysis(broken, analyze(corrupt, {}, {}, 4096));
    const std::string cut = blob.substr(0, blob.size() / 2);
    const auto truncated = analyze(cut, {}, spare_core(), 4096);
    EXPECT_EQ(truncated.profile.status, "truncated");
    expect_same_analysis(truncated, analyze(cut, {}, {}, 4096));
}

// A transfer that fails after `good_chunks` chunks, as a dropped connection does.
class FailingSource final : public ByteSource {
public:
    FailingSource(std::string bytes, std::size_t chunk, int good_chunks)
        : inner_(bytes, chunk), good_chunks_(good_chunks) {}
    std::span<const std::byte> next() override {
        if (good_chunks_-- <= 0) throw DataError("network", "connection reset by the test");
        return inner_.next();
    }

private:
    MemoryByteSource inner_;
    int good_chunks_;
};

TEST(BackgroundReader, AFailingSourceIsReportedAsInline) {
    const std::string blob = testing_support::gzip(sample_tar());
    FailingSource overlapped_source(blob, 512, 3), inline_source(blob, 512, 3);
    const auto overlapped = analyze_layer(overlapped_source, {}, spare_core());
    const auto inline_read = analyze_layer(inline_source, {}, {});
    EXPECT_EQ(overlapped.profile.status, "network");
    EXPECT_EQ(overlapped.profile.error, "connection reset by the test");
    EXPECT_EQ(overlapped.profile.compressed_bytes, 3 * 512);
    expect_same_analysis(overlapped, inline_read);
}

TEST(BackgroundReader, DirectUseErrorsRepeatAndEarlyDestruction) {
    std::string all;
    for (int i = 0; i < 100; ++i) all += std::string(i + 1, char('a' + i % 26));
    MemoryByteSource source(all, 13);
    layer::BackgroundReader reader(source, DigestAlgorithm::sha256);
    std::string read_back;
    for (auto chunk = reader.next(); !chunk.empty(); chunk = reader.next())
        read_back.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    EXPECT_EQ(read_back, all);
    EXPECT_TRUE(reader.next().empty());  // the end, again
    EXPECT_EQ(reader.finish_digest(), Sha256::digest_of(all));

    FailingSource failing(all, 100, 2);
    layer::BackgroundReader failing_reader(failing, DigestAlgorithm::sha256);
    EXPECT_EQ(failing_reader.next().size(), 100u);
    EXPECT_EQ(failing_reader.next().size(), 100u);
    for (int again = 0; again < 2; ++again) {
        try {
            failing_reader.next();
            ADD_FAILURE() << "the source's error was not rethrown";
        } catch (const DataError& error) {
            EXPECT_EQ(error.status(), "network");
        }
    }
    EXPECT_THROW(failing_reader.finish_digest(), std::logic_error);

    MemoryByteSource abandoned_source(all, 1);
    layer::BackgroundReader abandoned(abandoned_source, DigestAlgorithm::sha512);
    abandoned.next();  // destroyed with its ring full: joins cleanly
}

}  // namespace
}  // namespace regcensus
