// One owner under memory budgets from roomy to absurdly small: the budget only
// decides how many runs are spilled and merged, never the figures, which must
// equal the naive std::map reference exactly.
#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>
#include <vector>

#include "../mpi/dedup_reference.hpp"
#include "regcensus/dedup/content_counter.hpp"
#include "regcensus/dedup/record_store.hpp"

namespace regcensus::dedup {
namespace {

struct Outcome {
    DedupSummary summary;
    std::size_t runs = 0;
};

Outcome count_with_budget(const dedup_test::RecordSet& set, std::size_t memory_bytes,
                          const std::filesystem::path& spill_dir, std::size_t top_rows,
                          std::size_t scratch_bytes = 0) {
    RecordStore store(memory_bytes, spill_dir, scratch_bytes);
    // Batches of varying size, as rounds of the exchange would deliver them.
    std::size_t next = 0;
    for (std::size_t batch = 1; next < set.records.size(); batch = batch * 3 % 1000 + 1) {
        const auto n = std::min({batch, set.records.size() - next, store.capacity()});
        std::vector<PackedRecord> batch_records;
        for (std::size_t i = 0; i < n; ++i) batch_records.push_back(pack(set.records[next + i]));
        store.add(batch_records);
        next += n;
    }
    ContentCounter counter(top_rows, set.layer_count, set.sole_image_of_layer);
    store.count_into(counter);
    return {counter.finish(), store.spilled_runs()};
}

class DedupSpill : public ::testing::Test {
protected:
    void SetUp() override {
        spill_dir_ = std::filesystem::temp_directory_path() /
                     ("regcensus-dedup-spill-test-" + std::to_string(::getpid()) +
                      "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(spill_dir_);
    }
    void TearDown() override { std::filesystem::remove_all(spill_dir_); }
    std::filesystem::path spill_dir_;
};

TEST_F(DedupSpill, InMemoryPathMatchesTheReference) {
    const auto set = dedup_test::make_records(2019, 60, 30000, 4000, 7);
    const auto want = dedup_test::reference_summary(set, 50);
    const auto got = count_with_budget(set, std::size_t{1} << 30, spill_dir_, 50);
    EXPECT_EQ(got.runs, 0u);
    EXPECT_EQ(dedup_test::compare_summaries(got.summary, want, false), "");
    // With a sort scratch: every bucket out of place, or only the smaller ones.
    for (std::size_t scratch : {std::size_t{1} << 20, std::size_t{3000}}) {
        SCOPED_TRACE(scratch);
        EXPECT_EQ(dedup_test::compare_summaries(
                      count_with_budget(set, std::size_t{1} << 30, spill_dir_, 50, scratch).summary, want, false),
                  "");
    }
    EXPECT_FALSE(std::filesystem::exists(spill_dir_));  // nothing spilled, nothing created
}

TEST_F(DedupSpill, ManyRunsAndMultiPassMergeMatchTheReference) {
    const auto set = dedup_test::make_records(2019, 60, 30000, 4000, 7);
    const auto want = dedup_test::reference_summary(set, 50);
    // 1 KiB holds 33 records: about 900 runs, merged two at a time over ten passes.
    for (std::size_t budget : {std::size_t{1024}, std::size_t{20000}, std::size_t{300000}}) {
        SCOPED_TRACE(budget);
        const auto got = count_with_budget(set, budget, spill_dir_, 50);
        EXPECT_GE(got.runs, set.records.size() * sizeof(PackedRecord) / budget);
        EXPECT_EQ(dedup_test::compare_summaries(got.summary, want, false), "");
        EXPECT_TRUE(std::filesystem::is_empty(spill_dir_));  // every run file removed
    }
}

TEST_F(DedupSpill, TopRowsAreCutTheSameWayInMemoryAndSpilled) {
    const auto set = dedup_test::make_records(7, 10, 5000, 300, 3);
    for (std::size_t top_rows : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{100000}}) {
        SCOPED_TRACE(top_rows);
        const auto want = dedup_test::reference_summary(set, top_rows);
        EXPECT_EQ(dedup_test::compare_summaries(count_with_budget(set, 1 << 30, spill_dir_, top_rows).summary, want,
                                                false),
                  "");
        EXPECT_EQ(dedup_test::compare_summaries(count_with_budget(set, 2000, spill_dir_, top_rows).summary, want,
                                                false),
                  "");
    }
}

}  // namespace
}  // namespace regcensus::dedup
