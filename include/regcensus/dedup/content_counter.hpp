#pragma once
// Counts one owner's records, fed in sorted order (by hash, layer row, file
// index), in one streaming pass: the /dedup figures, the top candidates and the
// per-layer sharing counts. It keeps only the current content's distinct
// layers, so a sorted stream of any length (a k-way merge of spilled runs) is
// counted in bounded memory.
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "regcensus/dedup/dedup_types.hpp"
#include "regcensus/dedup/packed_record.hpp"

namespace regcensus::dedup {

class ContentCounter {
public:
    // `sole_image_of_layer` is empty (no shared_files_count) or has `layer_count`
    // entries: the only image row listing that layer, or -1 if two or more do.
    ContentCounter(std::size_t top_rows, std::size_t layer_count, std::span<const int64_t> sole_image_of_layer);

    // Records continue the sorted stream of earlier calls.
    void add(std::span<const PackedRecord> sorted);
    // The owner's part: counts, per-layer counts and at most top_rows candidates, ranked.
    DedupSummary finish();

private:
    void start_content(const PackedRecord& first);
    void close_content();
    void offer_top(const TopContent& candidate);
    void check_layer(uint32_t layer_row) const;

    std::size_t top_rows_;
    std::size_t layer_count_;
    std::span<const int64_t> sole_image_;
    DedupSummary summary_;
    // Contents with few copies are the many: a flat array spares a map lookup each.
    std::vector<int64_t> small_copies_;

    bool open_ = false;
    PackedRecord first_{};                                  // first record of the current content
    int64_t copies_ = 0;
    std::vector<std::pair<uint32_t, int64_t>> layer_files_;  // its distinct layers, with its files in each

    std::vector<TopContent> candidates_;
    bool have_floor_ = false;
    TopContent floor_;  // the worst candidate kept after the last pruning
};

}  // namespace regcensus::dedup
