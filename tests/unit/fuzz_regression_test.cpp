// Every input kept under tests/fuzz-regressions/ (crashes, hangs and leaks the
// fuzzer found, plus seeds) is replayed through the analyser with the fuzz
// target's limits: each must end with a status, a failed layer keeps no file
// records, and a spare core (reader and decoder on threads of their own)
// changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/util/memory_byte_source.hpp"

namespace regcensus {
namespace {

TEST(FuzzRegressions, EveryKeptInputEndsWithAStatus) {
    const std::filesystem::path dir = REGCENSUS_FUZZ_REGRESSIONS_DIR;
    ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
    int replayed = 0;
    for (const auto& item : std::filesystem::directory_iterator(dir)) {
        if (!item.is_regular_file() || item.path().filename() == "README.md") continue;
        std::ifstream in(item.path(), std::ios::binary);
        const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        LayerLimits limits;
        limits.max_layer_bytes = int64_t{64} << 20;
        limits.ratio_check_min_bytes = int64_t{1} << 20;
        MemoryByteSource source(bytes, 4096), same_source(bytes, 4096);
        const LayerAnalysis a = analyze_layer(source, {}, limits);
        SCOPED_TRACE(item.path().filename().string());
        limits.use_spare_core = true;  // the reader and the decoder on threads of their own: the same results
        const LayerProfile overlapped = analyze_layer(same_source, {}, limits).profile;
        EXPECT_EQ(overlapped.status, a.profile.status);
        EXPECT_EQ(overlapped.error, a.profile.error);
        EXPECT_EQ(overlapped.compressed_bytes, a.profile.compressed_bytes);
        EXPECT_EQ(overlapped.uncompressed_bytes, a.profile.uncompressed_bytes);
        EXPECT_EQ(overlapped.file_count, a.profile.file_count);
        EXPECT_FALSE(a.profile.status.empty());
        if (a.profile.ok()) {
            EXPECT_EQ(a.files.size(), static_cast<std::size_t>(a.profile.file_count));
        } else {
            EXPECT_TRUE(a.files.empty());
            EXPECT_FALSE(a.profile.error.empty());
        }
        ++replayed;
    }
    EXPECT_GT(replayed, 0);
}

}  // namespace
}  // namespace regcensus
