// The packed record and its in-place radix sort.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "../mpi/dedup_reference.hpp"
#include "regcensus/dedup/packed_record.hpp"
#include "regcensus/dedup/record_sort.hpp"

namespace regcensus::dedup {
namespace {

TEST(DedupPackedRecord, RoundTripsEveryField) {
    ContentRecord r{{0x0123456789abcdefULL, 0xfedcba9876543210ULL}, int64_t{kMaxPackedSize}, 4000000000u, 77u,
                    FileType::data};
    const auto back = unpack(pack(r));
    EXPECT_EQ(back.hash, r.hash);
    EXPECT_EQ(back.size, static_cast<int64_t>(kMaxPackedSize));
    EXPECT_EQ(back.layer_row, 4000000000u);
    EXPECT_EQ(back.file_index, 77u);
    EXPECT_EQ(back.type, FileType::data);
    r.size = 0;
    r.type = FileType::empty;
    EXPECT_EQ(unpack(pack(r)).size, 0);
    EXPECT_EQ(unpack(pack(r)).type, FileType::empty);
}

TEST(DedupPackedRecord, RejectsSizesThatDoNotFit) {
    ContentRecord r;
    r.size = -1;
    EXPECT_THROW(pack(r), std::invalid_argument);
    r.size = int64_t{1} << kPackedSizeBits;
    EXPECT_THROW(pack(r), std::invalid_argument);
}

std::vector<PackedRecord> packed(const std::vector<ContentRecord>& records) {
    std::vector<PackedRecord> out;
    for (const auto& r : records) out.push_back(pack(r));
    return out;
}

void expect_sorted_like_std_sort(std::vector<PackedRecord> records) {
    auto want = records;
    std::sort(want.begin(), want.end(), key_less);
    sort_records(records);
    ASSERT_EQ(records.size(), want.size());
    EXPECT_EQ(std::memcmp(records.data(), want.data(), records.size() * sizeof(PackedRecord)), 0);
}

TEST(DedupRecordSort, MatchesComparisonSortOnSkewedRecords) {
    expect_sorted_like_std_sort(packed(dedup_test::make_records(11, 40, 50000, 2000, 5).records));
}

TEST(DedupRecordSort, SortsOneHeavilyCopiedContentByLocation) {
    std::vector<ContentRecord> records;
    for (uint32_t i = 0; i < 5000; ++i)
        records.push_back({{42, 43}, 10, (i * 7919u) % 300u, (i * 104729u) % 100000u, FileType::data});
    expect_sorted_like_std_sort(packed(records));
}

TEST(DedupRecordSort, HandlesTinyInputs) {
    expect_sorted_like_std_sort({});
    expect_sorted_like_std_sort(packed(dedup_test::make_records(3, 2, 1, 1, 1).records));
    expect_sorted_like_std_sort(packed(dedup_test::make_records(4, 3, 33, 5, 2).records));
}

}  // namespace
}  // namespace regcensus::dedup
