// Counting one owner's sorted records: a hand-made dataset with every figure
// worked out by hand (see the comments), so that the meaning of each output is
// pinned down, not only its agreement with the reference.
#include <gtest/gtest.h>

#include <filesystem>
#include <span>
#include <vector>

#include "regcensus/dedup/content_counter.hpp"
#include "regcensus/dedup/record_store.hpp"

namespace regcensus::dedup {
namespace {

ContentRecord file(uint64_t content, int64_t size, uint32_t layer, uint32_t index) {
    return {{content, content * 3}, size, layer, index, FileType::document_text};
}

TEST(DedupCounter, CountsEveryOutputOfAHandMadeDataset) {
    // Layers 0 and 1 belong to image 0 only, layer 2 to several images, layer 3 to image 1 only.
    const std::vector<int64_t> sole_image{0, 0, -1, 1};
    const std::vector<ContentRecord> records{
        file(1, 10, 0, 0), file(1, 10, 0, 1),  // A: twice in layer 0
        file(2, 20, 1, 0), file(2, 20, 0, 2),  // B: layers 0 and 1, both image 0
        file(3, 30, 1, 1),                     // C: once, layer 1
        file(4, 0, 2, 0),                      // D: once, in the shared layer 2
        file(5, 5, 3, 0), file(5, 5, 1, 2),    // E: layers 1 (image 0) and 3 (image 1)
    };
    RecordStore store(1 << 20, std::filesystem::temp_directory_path() / "regcensus-dedup-counter-test");
    for (const auto& r : records) {
        auto packed = pack(r);
        store.add({&packed, 1});
    }
    ContentCounter counter(10, sole_image.size(), sole_image);
    store.count_into(counter);
    const auto s = counter.finish();

    EXPECT_EQ(s.file_count, 8);
    EXPECT_EQ(s.file_bytes, 20 + 40 + 30 + 0 + 10);
    EXPECT_EQ(s.unique_file_count, 5);
    EXPECT_EQ(s.unique_bytes, 10 + 20 + 30 + 0 + 5);
    EXPECT_EQ(s.contents_by_copies, (std::map<int64_t, int64_t>{{1, 2}, {2, 3}}));
    EXPECT_EQ(s.unique_files_by_type[static_cast<std::size_t>(FileType::document_text)], 5);
    EXPECT_EQ(s.per_layer.unique_file_count, (std::vector<int64_t>{0, 1, 1, 0}));       // C, D
    EXPECT_EQ(s.per_layer.cross_layer_file_count, (std::vector<int64_t>{1, 2, 0, 1}));  // B; B, E; -; E
    EXPECT_EQ(s.per_layer.shared_files_count, (std::vector<int64_t>{0, 1, 1, 1}));      // -; E; D; E

    // Top: B wastes 20, A 10, E 5; D is empty and C single.
    ASSERT_EQ(s.top.size(), 3u);
    EXPECT_EQ(s.top[0].hash.high, 2u);
    EXPECT_EQ(s.top[0].layers, 2);
    EXPECT_EQ(s.top[0].first_layer_row, 0u);  // the example: smallest layer row...
    EXPECT_EQ(s.top[0].first_file_index, 2u);
    EXPECT_EQ(s.top[1].hash.high, 1u);
    EXPECT_EQ(s.top[1].first_file_index, 0u);  // ...then first in tar order
    EXPECT_EQ(s.top[1].layers, 1);
    EXPECT_EQ(s.top[2].hash.high, 5u);
    EXPECT_EQ(s.top[2].first_layer_row, 1u);
}

TEST(DedupCounter, CountsAContentSplitAcrossCallsWithItsLayersInAnyOrder) {
    // Layers 0 and 1 belong to image 0 only, layer 2 to image 1 only.
    const std::vector<int64_t> sole_image{0, 0, 1};
    // A: five copies, layers 2, 0, 2, 1, 0 (two files in 0, one in 1, two in 2); B: once, layer 1.
    const std::vector<PackedRecord> sorted{pack(file(1, 10, 2, 5)), pack(file(1, 10, 0, 7)),
                                           pack(file(1, 10, 2, 1)), pack(file(1, 10, 1, 0)),
                                           pack(file(1, 10, 0, 3)), pack(file(2, 7, 1, 4))};
    ContentCounter counter(10, sole_image.size(), sole_image);
    const std::span<const PackedRecord> all(sorted);
    counter.add(all.subspan(0, 2));  // A's records arrive over two calls, then B's
    counter.add(all.subspan(2, 4));
    const auto s = counter.finish();

    EXPECT_EQ(s.file_count, 6);
    EXPECT_EQ(s.file_bytes, 50 + 7);
    EXPECT_EQ(s.unique_file_count, 2);
    EXPECT_EQ(s.unique_bytes, 17);
    EXPECT_EQ(s.contents_by_copies, (std::map<int64_t, int64_t>{{1, 1}, {5, 1}}));
    EXPECT_EQ(s.per_layer.unique_file_count, (std::vector<int64_t>{0, 1, 0}));       // B
    EXPECT_EQ(s.per_layer.cross_layer_file_count, (std::vector<int64_t>{2, 1, 2}));  // A, in three layers
    EXPECT_EQ(s.per_layer.shared_files_count, (std::vector<int64_t>{2, 1, 2}));      // A, in images 0 and 1
    ASSERT_EQ(s.top.size(), 1u);
    EXPECT_EQ(s.top[0].hash.high, 1u);
    EXPECT_EQ(s.top[0].copies, 5);
    EXPECT_EQ(s.top[0].layers, 3);
    EXPECT_EQ(s.top[0].first_layer_row, 0u);
    EXPECT_EQ(s.top[0].first_file_index, 3u);
}

TEST(DedupCounter, LeavesPerLayerCountsEmptyWithoutALayerCount) {
    ContentCounter counter(5, 0, {});
    auto packed = pack(file(1, 10, 123456, 0));
    counter.add({&packed, 1});
    const auto s = counter.finish();
    EXPECT_TRUE(s.per_layer.unique_file_count.empty());
    EXPECT_EQ(s.unique_file_count, 1);
}

TEST(DedupCounter, RejectsALayerRowBeyondTheLayerCount) {
    ContentCounter counter(5, 2, {});
    auto packed = pack(file(1, 10, 2, 0));
    EXPECT_THROW(counter.add({&packed, 1}), std::out_of_range);
}

}  // namespace
}  // namespace regcensus::dedup
