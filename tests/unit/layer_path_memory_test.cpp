// The memory a layer's file paths may cost: a layer of 100,000 files with
// 4,000-byte names (416 MB of names) keeps the first max_kept_path_bytes of
// long paths in full and the rest shortened, and its directories' long names
// as hashes, so its analysis stays far below the size of its names.
#include <fstream>
#include <sstream>

#include "layer_test_support.hpp"

namespace regcensus {
namespace {

using testing_support::TarBuilder;

// A tar stream made on demand, one entry at a time: the test must not hold
// the 400 MB it describes.
class LongNameTar : public ByteSource {
public:
    LongNameTar(std::size_t files, std::size_t name_bytes) : files_(files), name_bytes_(name_bytes) {}

    std::span<const std::byte> next() override {
        if (made_ > files_) return {};
        if (made_ == files_) {
            chunk_.assign(2 * TarBuilder::kBlock, '\0');  // the end blocks
        } else {
            // Each file in a directory of its own, whose name is as long as the path.
            std::string name = std::to_string(made_) + "-";
            name.resize(name_bytes_ - 2, 'n');
            name += "/f";
            chunk_ = TarBuilder().file(name, "").without_end_blocks();
        }
        ++made_;
        return std::as_bytes(std::span(chunk_.data(), chunk_.size()));
    }

private:
    std::size_t files_, name_bytes_, made_ = 0;
    std::string chunk_;
};

// Kilobytes of a /proc/self/status field ("VmRSS", "VmHWM"), -1 when absent.
int64_t status_kb(const std::string& field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind(field + ":", 0) == 0) return std::stoll(line.substr(field.size() + 1));
    return -1;
}

// Resets the peak resident size (VmHWM) to the current one (Linux >= 4.0).
bool reset_peak_rss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
    clear.flush();
    return bool(clear);
}

TEST(LayerPathMemory, LongNamesCostABoundedMultipleOfTheCap) {
    constexpr std::size_t kFiles = 100'000, kNameBytes = 4'000;
    if (!reset_peak_rss()) GTEST_SKIP() << "cannot reset the peak RSS here";
    const int64_t before_kb = status_kb("VmRSS");
    ASSERT_GT(before_kb, 0);

    LongNameTar tar(kFiles, kNameBytes);
    const LayerLimits limits;  // the default budget: 64 MiB of long paths
    const auto analysis = analyze_layer(tar, {}, limits);
    const int64_t growth_mb = (status_kb("VmHWM") - before_kb) / 1024;

    ASSERT_EQ(analysis.profile.status, "ok") << analysis.profile.error;
    ASSERT_EQ(analysis.profile.file_count, int64_t(kFiles));
    ASSERT_EQ(analysis.files.size(), kFiles);
    // Whole while the budget lasts, then shortened with the marker.
    const auto kept_whole = std::size_t(limits.max_kept_path_bytes) / kNameBytes;
    EXPECT_EQ(analysis.files[0].path.size(), kNameBytes);
    EXPECT_EQ(analysis.files[kept_whole - 1].path.size(), kNameBytes);
    const auto& last = analysis.files.back().path;
    EXPECT_EQ(last.size(), kShortenedPathBytes);
    EXPECT_TRUE(last.starts_with(std::to_string(kFiles - 1) + "-nnn"));
    EXPECT_EQ(analysis.profile.dir_count, int64_t(kFiles));
    EXPECT_TRUE(last.ends_with(kShortenedPathMarker));
    // Without the bound the peak grows by ~390 MB; with it by ~110 MB (the
    // 64 MiB budget, 256-byte copies, the records and libarchive's buffers).
    EXPECT_LT(growth_mb, 160) << "peak RSS grew by " << growth_mb << " MB";
}

TEST(LayerPathMemory, ShortPathsAreNeverShortened) {
    LayerLimits limits;
    limits.max_kept_path_bytes = 1000;
    TarBuilder tar;
    const std::string long_name = "opt/" + std::string(600, 'l');
    tar.file(long_name + "1", "a").file("usr/bin/short", "b").file(long_name + "2", "c").file("etc/also-short", "d");
    MemoryByteSource source(tar.finish());
    const auto analysis = analyze_layer(source, {}, limits);
    ASSERT_EQ(analysis.profile.status, "ok") << analysis.profile.error;
    ASSERT_EQ(analysis.files.size(), 4u);
    EXPECT_EQ(analysis.files[0].path, long_name + "1");  // 605 bytes: within the budget
    EXPECT_EQ(analysis.files[1].path, "usr/bin/short");
    // Over the budget: its first bytes, cut on a character boundary, and the marker.
    EXPECT_EQ(analysis.files[2].path,
              long_name.substr(0, kShortenedPathBytes - kShortenedPathMarker.size()) +
                  std::string(kShortenedPathMarker));
    EXPECT_EQ(analysis.files[3].path, "etc/also-short");
}

TEST(LayerPathMemory, ShortenedPathsEndOnACharacterBoundary) {
    LayerLimits limits;
    limits.max_kept_path_bytes = 0;
    const std::string accented = "\xc3\xa9";  // é: two bytes
    std::string name;
    while (name.size() < 600) name += accented;
    TarBuilder tar;
    tar.file(name, "x");
    MemoryByteSource source(tar.finish());
    const auto analysis = analyze_layer(source, {}, limits);
    ASSERT_EQ(analysis.files.size(), 1u);
    const auto& path = analysis.files[0].path;
    const auto kept = path.substr(0, path.size() - kShortenedPathMarker.size());
    EXPECT_TRUE(path.ends_with(kShortenedPathMarker));
    EXPECT_EQ(kept.size() % 2, 0u);  // whole two-byte characters only
    EXPECT_LE(path.size(), kShortenedPathBytes);
}

TEST(LayerPathMemory, LongDirectoryNamesAreStillCountedExactly) {
    const std::string a(300, 'a');
    const std::string b = std::string(299, 'a') + "b";  // differs from `a` in its last byte only
    TarBuilder tar;
    tar.dir(a).file(a + "/one", "1").file(a + "/two", "2").file(b + "/x/three", "3").dir(b + "/x");
    MemoryByteSource source(tar.finish());
    const auto analysis = analyze_layer(source, {});
    ASSERT_EQ(analysis.profile.status, "ok") << analysis.profile.error;
    EXPECT_EQ(analysis.profile.dir_count, 3);  // a, b, b/x
    EXPECT_EQ(analysis.profile.max_depth, 2);
}

}  // namespace
}  // namespace regcensus
