#pragma once
// One owner's records under a memory budget. Arriving records are scattered by
// the top byte of their hash into 256 buckets (a streaming pass, where sorting
// one big array would start with a cache-missing permutation of all of it);
// each bucket is then sorted in place on its own, small enough to stay in
// cache. When the next batch would not fit the budget, the buckets are sorted
// and written in order as one sorted run in the spill directory. At the end the
// records reach a ContentCounter in key order: bucket by bucket from memory if
// nothing was spilled, otherwise through a k-way merge of the runs (in several
// passes when there are more runs than the budget has read buffers for). The
// record count is bounded by disk, not memory.
#include <array>
#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "regcensus/dedup/content_counter.hpp"
#include "regcensus/dedup/packed_record.hpp"
#include "regcensus/dedup/run_file.hpp"
#include "regcensus/dedup/virtual_region.hpp"

namespace regcensus::dedup {

class RecordStore {
public:
    // Holds up to memory_bytes / sizeof(PackedRecord) records (at least one).
    // count_into() may add a sort buffer of up to scratch_bytes: memory the
    // caller has given back by then (the exchange's batch buffers).
    RecordStore(std::size_t memory_bytes, std::filesystem::path spill_dir, std::size_t scratch_bytes = 0);

    std::size_t capacity() const { return capacity_; }
    // Takes records in any order (at most capacity() at a time), spilling the held ones first if needed.
    void add(std::span<const PackedRecord> records);

    std::size_t spilled_runs() const { return spilled_runs_; }

    // Feeds every record to `counter` in key order; the store is empty afterwards.
    void count_into(ContentCounter& counter);

private:
    static constexpr std::size_t kBuckets = 256;
    PackedRecord* bucket(std::size_t b) const {
        return reinterpret_cast<PackedRecord*>(region_.data()) + b * capacity_;
    }
    // Sorts each bucket in turn, hands it to `use`, and gives its pages back.
    template <typename Use>
    void drain_sorted(Use&& use);
    void spill_held();
    RunFile new_run_file();
    void merge(std::span<RunFile> runs, ContentCounter* counter, RunFile* out);

    std::size_t memory_bytes_;
    std::filesystem::path spill_dir_;
    std::size_t scratch_bytes_;
    std::vector<PackedRecord> scratch_;  // allocated by count_into only
    std::size_t capacity_;
    VirtualRegion region_;  // bucket b at [b * capacity_, (b + 1) * capacity_) records
    std::array<std::size_t, kBuckets> bucket_size_{};
    std::array<std::size_t, kBuckets> populated_{};  // bytes of each bucket made resident ahead of writes
    std::size_t held_ = 0;
    std::vector<RunFile> runs_;
    std::size_t spilled_runs_ = 0;
    std::size_t next_run_ = 0;
};

}  // namespace regcensus::dedup
