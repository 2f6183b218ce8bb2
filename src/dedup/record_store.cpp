#include "regcensus/dedup/record_store.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "regcensus/dedup/record_sort.hpp"

namespace regcensus::dedup {
namespace {

// A read buffer smaller than this makes the merge seek-bound; the fan-in is
// lowered (more merge passes) rather than the buffers shrunk below it.
constexpr std::size_t kMinMergeBufferBytes = 64 * 1024;
constexpr std::size_t kMaxFanIn = 1024;
// The merged stream reaches the counter (or the next run) in slices of this many records.
constexpr std::size_t kMergeOutputRecords = 4096;
// Batches come a chunk at a time (a few records per bucket): making each
// bucket's pages resident this far ahead of its end takes one madvise call per
// several pages instead of one per page, for at most 256 x this of memory.
constexpr std::size_t kPopulateAheadBytes = 32 * 1024;

}  // namespace

RecordStore::RecordStore(std::size_t memory_bytes, std::filesystem::path spill_dir, std::size_t scratch_bytes)
    : memory_bytes_(memory_bytes), spill_dir_(std::move(spill_dir)), scratch_bytes_(scratch_bytes),
      capacity_(std::max<std::size_t>(memory_bytes / sizeof(PackedRecord), 1)),
      region_(kBuckets * capacity_ * sizeof(PackedRecord)) {}

void RecordStore::add(std::span<const PackedRecord> records) {
    if (records.size() > capacity_) throw std::logic_error("dedup batch larger than the record store");
    if (held_ + records.size() > capacity_) spill_held();
    // Each bucket's new pages are made resident in one call per batch: a page
    // fault per 4 KiB would otherwise cost as much as the scatter itself.
    std::array<std::size_t, kBuckets> arriving{};
    for (const auto& r : records) ++arriving[static_cast<std::size_t>(r.hash_high >> 56)];
    const std::size_t bucket_bytes = capacity_ * sizeof(PackedRecord);
    for (std::size_t b = 0; b < kBuckets; ++b) {
        const auto end = (bucket_size_[b] + arriving[b]) * sizeof(PackedRecord);
        if (end <= populated_[b]) continue;
        const auto ahead = std::min(end + kPopulateAheadBytes, bucket_bytes);
        region_.populate(b * bucket_bytes + populated_[b], ahead - populated_[b]);
        populated_[b] = ahead;
    }
    for (const auto& r : records) {
        const auto b = static_cast<std::size_t>(r.hash_high >> 56);
        bucket(b)[bucket_size_[b]++] = r;
    }
    held_ += records.size();
}

template <typename Use>
void RecordStore::drain_sorted(Use&& use) {
    for (std::size_t b = 0; b < kBuckets; ++b) {
        const std::span<PackedRecord> records{bucket(b), bucket_size_[b]};
        use(std::span<const PackedRecord>(sort_records(records, scratch_)));
        // Up to the populated end: the pages made resident ahead go back too.
        region_.release(b * capacity_ * sizeof(PackedRecord), std::max(records.size_bytes(), populated_[b]));
        bucket_size_[b] = 0;
        populated_[b] = 0;
    }
    held_ = 0;
}

RunFile RecordStore::new_run_file() {
    std::filesystem::create_directories(spill_dir_);
    // The pid keeps two reduces sharing a spill directory (a test, a rerun) apart.
    char name[64];
    std::snprintf(name, sizeof name, "dedup-%ld-run-%06zu.bin", static_cast<long>(::getpid()), next_run_++);
    return RunFile(spill_dir_ / name);
}

void RecordStore::spill_held() {
    if (held_ == 0) return;
    auto run = new_run_file();
    RunWriter writer(run, 0);
    drain_sorted([&](std::span<const PackedRecord> sorted) { writer.write(sorted); });
    writer.close();
    runs_.push_back(std::move(run));
    ++spilled_runs_;
}

void RecordStore::merge(std::span<RunFile> runs, ContentCounter* counter, RunFile* out) {
    const std::size_t buffer_records =
        std::max<std::size_t>(memory_bytes_ / (runs.size() + 1) / sizeof(PackedRecord),
                              kMinMergeBufferBytes / sizeof(PackedRecord));
    std::vector<RunReader> readers;
    readers.reserve(runs.size());
    for (const auto& run : runs) readers.emplace_back(run, buffer_records);

    std::optional<RunWriter> writer;
    if (out) writer.emplace(*out, buffer_records);
    std::vector<PackedRecord> slice;
    slice.reserve(kMergeOutputRecords);
    auto emit = [&] {
        if (counter) counter->add(slice);
        if (writer) writer->write(slice);
        slice.clear();
    };

    // A min-heap of readers on their current record.
    std::vector<uint32_t> heap;
    for (uint32_t i = 0; i < readers.size(); ++i)
        if (!readers[i].done()) heap.push_back(i);
    auto later = [&](uint32_t a, uint32_t b) { return key_less(readers[b].current(), readers[a].current()); };
    std::make_heap(heap.begin(), heap.end(), later);
    while (!heap.empty()) {
        std::pop_heap(heap.begin(), heap.end(), later);
        auto& reader = readers[heap.back()];
        slice.push_back(reader.current());
        if (slice.size() == kMergeOutputRecords) emit();
        reader.advance();
        if (reader.done())
            heap.pop_back();
        else
            std::push_heap(heap.begin(), heap.end(), later);
    }
    emit();
    if (writer) writer->close();
}

void RecordStore::count_into(ContentCounter& counter) {
    // A bucket that fits the scratch is sorted out of place (buckets hold 1/256 of the records each).
    std::size_t largest = 0;
    for (auto n : bucket_size_) largest = std::max(largest, n);
    scratch_.resize(std::min(largest, scratch_bytes_ / sizeof(PackedRecord)));
    if (runs_.empty()) {
        drain_sorted([&](std::span<const PackedRecord> sorted) { counter.add(sorted); });
        scratch_ = {};
        return;
    }
    spill_held();

    const std::size_t fan_in = std::clamp<std::size_t>(memory_bytes_ / kMinMergeBufferBytes, 2, kMaxFanIn);
    // Merge the oldest runs into one until a single pass can take them all.
    while (runs_.size() > fan_in) {
        auto merged = new_run_file();
        merge({runs_.data(), fan_in}, nullptr, &merged);
        runs_.erase(runs_.begin(), runs_.begin() + static_cast<std::ptrdiff_t>(fan_in));
        runs_.push_back(std::move(merged));
    }
    scratch_ = {};
    merge(runs_, &counter, nullptr);
    runs_.clear();
}

}  // namespace regcensus::dedup
