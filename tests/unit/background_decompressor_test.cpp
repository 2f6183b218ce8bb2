// The inflate on its own thread (LayerLimits::use_spare_core): the chunks,
// the compressed bytes consumed after each, the end and the errors are exactly
// those of the decompressor run inline, with a consumer slow enough that the
// decoder fills its ring and must wait for the chunk it would overwrite.
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "background_decompressor.hpp"
#include "layer_test_support.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/memory_byte_source.hpp"

namespace regcensus {
namespace {

using layer::BackgroundDecompressor;
using layer::Compression;

// Text that varies enough that a chunk's bytes tell where they came from.
std::string numbered_lines(std::size_t bytes) {
    std::string out;
    out.reserve(bytes + 32);
    for (std::size_t line = 0; out.size() < bytes; ++line) out += "line " + std::to_string(line) + " of the stream\n";
    out.resize(bytes);
    return out;
}

struct Pulled {
    std::vector<std::string> chunks;
    std::vector<int64_t> consumed;
    std::string error_status, error_text;  // empty after a clean end
};

// Pulls every chunk, copying each at once (it is only valid until the next
// call), then checks that the end repeats, and the error too in the
// background (inline decoders promise nothing after an error).
Pulled pull_all(layer::Decompressor& decompressor, bool slow, bool error_repeats) {
    Pulled pulled;
    try {
        for (auto chunk = decompressor.next(); !chunk.empty(); chunk = decompressor.next()) {
            if (slow) std::this_thread::sleep_for(std::chrono::milliseconds(2));
            pulled.chunks.emplace_back(reinterpret_cast<const char*>(chunk.data()), chunk.size());
            pulled.consumed.push_back(decompressor.compressed_bytes_consumed());
        }
        EXPECT_TRUE(decompressor.next().empty());
    } catch (const DataError& error) {
        pulled.error_status = error.status();
        pulled.error_text = error.what();
        if (error_repeats) {
            EXPECT_THROW(decompressor.next(), DataError);
        }
    }
    return pulled;
}

Pulled pull_inline(const std::string& blob, Compression compression) {
    MemoryByteSource source(blob, 64 * 1024);
    layer::VerifiedInput input(source);
    input.sniff_compression();
    return pull_all(*layer::make_decompressor(compression, input), false, false);
}

Pulled pull_in_background(const std::string& blob, Compression compression, bool slow) {
    MemoryByteSource source(blob, 64 * 1024);
    layer::VerifiedInput input(source, {}, true);
    input.sniff_compression();
    BackgroundDecompressor decompressor(
        layer::make_decompressor(compression, input, BackgroundDecompressor::kBuffers));
    return pull_all(decompressor, slow, true);
}

void expect_same(const Pulled& background, const Pulled& inline_pulled) {
    ASSERT_EQ(background.chunks.size(), inline_pulled.chunks.size());
    for (std::size_t i = 0; i < background.chunks.size(); ++i)
        ASSERT_TRUE(background.chunks[i] == inline_pulled.chunks[i]) << "chunk " << i << " differs";
    EXPECT_EQ(background.consumed, inline_pulled.consumed);
    EXPECT_EQ(background.error_status, inline_pulled.error_status);
    EXPECT_EQ(background.error_text, inline_pulled.error_text);
}

TEST(BackgroundDecompressor, SameChunksAndConsumedBytesAsInline) {
    // 40 chunks of 1 MiB: the ring of kBuffers goes round more than twice.
    const std::string text = numbered_lines(40 * layer::kDecompressedChunkBytes + 12345);
    for (const auto& [blob, compression] : {std::pair{testing_support::gzip(text, 1), Compression::gzip},
                                            std::pair{testing_support::zstd(text, 1), Compression::zstd}}) {
        const Pulled inline_pulled = pull_inline(blob, compression);
        ASSERT_EQ(inline_pulled.error_status, "");
        std::string joined;
        for (const auto& chunk : inline_pulled.chunks) joined += chunk;
        ASSERT_TRUE(joined == text);
        ASSERT_GT(inline_pulled.chunks.size(), 2 * BackgroundDecompressor::kBuffers);
        expect_same(pull_in_background(blob, compression, true), inline_pulled);
        expect_same(pull_in_background(blob, compression, false), inline_pulled);
    }
}

TEST(BackgroundDecompressor, ErrorsArriveAfterTheSameChunksAsInline) {
    const std::string text = numbered_lines(24 * layer::kDecompressedChunkBytes);
    const std::string gz = testing_support::gzip(text, 1);
    std::string corrupt = gz;
    corrupt[corrupt.size() * 3 / 4] ^= 0x5a;
    const std::string cut = gz.substr(0, gz.size() * 3 / 4);
    for (const std::string& blob : {corrupt, cut}) {
        const Pulled inline_pulled = pull_inline(blob, Compression::gzip);
        ASSERT_NE(inline_pulled.error_status, "");
        ASSERT_GT(inline_pulled.chunks.size(), BackgroundDecompressor::kBuffers);
        expect_same(pull_in_background(blob, Compression::gzip, true), inline_pulled);
    }
}

TEST(BackgroundDecompressor, EarlyDestructionAndTooFewBuffers) {
    const std::string gz = testing_support::gzip(numbered_lines(30 * layer::kDecompressedChunkBytes), 1);
    {
        MemoryByteSource source(gz);
        layer::VerifiedInput input(source, {}, true);
        input.sniff_compression();
        BackgroundDecompressor decompressor(
            layer::make_decompressor(Compression::gzip, input, BackgroundDecompressor::kBuffers));
        EXPECT_FALSE(decompressor.next().empty());
        // Destroyed with its ring full and the stream far from its end: joins cleanly.
    }
    MemoryByteSource source(gz);
    layer::VerifiedInput input(source);
    input.sniff_compression();
    EXPECT_THROW(BackgroundDecompressor(layer::make_decompressor(Compression::gzip, input)), std::logic_error);
}

TEST(BackgroundDecompressor, TheRatioCheckSeesTheSameFigures) {
    // 24 MiB of zeros: far beyond a ratio of 100 once 4 MiB are out.
    const std::string zeros(24 * layer::kDecompressedChunkBytes, '\0');
    const std::string gz = testing_support::gzip(zeros, 9);
    LayerLimits limits;
    limits.ratio_check_min_bytes = 4 * int64_t(layer::kDecompressedChunkBytes);
    const auto inline_read = testing_support::analyze(gz, {}, limits);
    limits.use_spare_core = true;
    const auto overlapped = testing_support::analyze(gz, {}, limits);
    EXPECT_EQ(inline_read.profile.status, "too_large");
    EXPECT_EQ(overlapped.profile.status, "too_large");
    EXPECT_EQ(overlapped.profile.error, inline_read.profile.error);
}

}  // namespace
}  // namespace regcensus
