// The packed record and its in-place radix sort.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <tuple>
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

std::tuple<uint64_t, uint64_t, uint32_t, uint32_t> full_key(const PackedRecord& r) {
    return {static_cast<uint64_t>(r.hash_high), static_cast<uint64_t>(r.hash_low),
            static_cast<uint32_t>(r.layer_row), static_cast<uint32_t>(r.file_index)};
}

// Sorted by hash (the records of one content in any order) and the same records as before.
void expect_sorted_by_hash(std::vector<PackedRecord> records, std::size_t scratch_records = 0) {
    auto before = records;
    std::vector<PackedRecord> scratch(scratch_records);
    const auto where = sort_records(records, scratch);
    ASSERT_EQ(where.size(), records.size());
    records.assign(where.begin(), where.end());
    EXPECT_TRUE(std::is_sorted(records.begin(), records.end(), key_less));
    auto by_full_key = [](const PackedRecord& a, const PackedRecord& b) { return full_key(a) < full_key(b); };
    std::sort(before.begin(), before.end(), by_full_key);
    std::sort(records.begin(), records.end(), by_full_key);
    ASSERT_EQ(records.size(), before.size());
    EXPECT_EQ(std::memcmp(records.data(), before.data(), records.size() * sizeof(PackedRecord)), 0);
}

TEST(DedupRecordSort, SortsSkewedRecordsByHash) {
    expect_sorted_by_hash(packed(dedup_test::make_records(11, 40, 50000, 2000, 5).records));
}

TEST(DedupRecordSort, SortsByHashWithScratchForAllOrPartOfTheRecords) {
    const auto records = packed(dedup_test::make_records(12, 40, 50000, 2000, 5).records);
    expect_sorted_by_hash(records, records.size());  // out of place from the first digit
    expect_sorted_by_hash(records, 2000);            // in place at first, out of place below
}

TEST(DedupRecordSort, KeepsEveryRecordOfOneHeavilyCopiedContent) {
    std::vector<ContentRecord> records;
    for (uint32_t i = 0; i < 5000; ++i)
        records.push_back({{42, 43}, 10, (i * 7919u) % 300u, (i * 104729u) % 100000u, FileType::data});
    expect_sorted_by_hash(packed(records));
}

TEST(DedupRecordSort, SplitsOffAContentThatFillsMostOfAPartTooLargeForTheScratch) {
    // 5000 copies of one content in layer order, with 600 records of other contents
    // around it: more than the scratch takes, but the others alone fit it.
    const auto others = dedup_test::make_records(13, 20, 600, 200, 3).records;
    std::vector<ContentRecord> records;
    for (uint32_t i = 0; i < 5000; ++i) {
        if (i % 9 == 0 && i / 9 < others.size()) records.push_back(others[i / 9]);
        records.push_back({{0x8000000000000000ULL, 7}, 10, i, 0, FileType::data});
    }
    for (std::size_t i = 5000 / 9 + 1; i < others.size(); ++i) records.push_back(others[i]);
    const auto before = packed(records);
    expect_sorted_by_hash(before, 800);

    // Stable: the heavy content's records come out in the order they went in.
    auto sorted = before;
    std::vector<PackedRecord> scratch(800);
    const auto where = sort_records(sorted, scratch);
    ASSERT_EQ(where.data(), sorted.data());  // too large for the scratch: sorted in place
    std::vector<uint32_t> heavy_layers;
    for (const auto& r : where)
        if (r.hash_high == 0x8000000000000000ULL && r.hash_low == 7) heavy_layers.push_back(r.layer_row);
    ASSERT_EQ(heavy_layers.size(), 5000u);
    EXPECT_TRUE(std::is_sorted(heavy_layers.begin(), heavy_layers.end()));
}

TEST(DedupRecordSort, LeavesThePartInTheScratchWhenItFits) {
    auto records = packed(dedup_test::make_records(14, 40, 3000, 500, 4).records);
    std::vector<PackedRecord> scratch(records.size() + 10);
    const auto where = sort_records(records, scratch);
    EXPECT_EQ(where.data(), scratch.data());
    EXPECT_TRUE(std::is_sorted(where.begin(), where.end(), key_less));
}

TEST(DedupRecordSort, HandlesTinyInputs) {
    expect_sorted_by_hash({});
    expect_sorted_by_hash(packed(dedup_test::make_records(3, 2, 1, 1, 1).records));
    expect_sorted_by_hash(packed(dedup_test::make_records(4, 3, 33, 5, 2).records));
}

}  // namespace
}  // namespace regcensus::dedup
