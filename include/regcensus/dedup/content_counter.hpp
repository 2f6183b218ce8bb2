#pragma once
// Counts one owner's records, fed in hash order (the records of one content
// together, in any order), in one streaming pass: the /dedup figures, the top
// candidates and the per-layer sharing counts. Beyond the per-layer vectors it
// keeps only the current content's distinct layers, so a sorted stream of any
// length (a k-way merge of spilled runs) is counted in bounded memory.
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
    void add_location(const PackedRecord& r);
    void close_content();
    void offer_top(const TopContent& candidate);
    void check_layer(uint32_t layer_row) const;

    std::size_t top_rows_;
    std::size_t layer_count_;
    DedupSummary summary_;
    // Contents with few copies are the many: a flat array spares a map lookup each.
    std::vector<int64_t> small_copies_;

    bool open_ = false;
    PackedRecord first_{};  // first record seen of the current content (hash, size, type)
    int64_t copies_ = 0;
    uint32_t example_layer_ = 0, example_file_ = 0;  // its smallest (layer row, file index)
    std::vector<uint32_t> content_layers_;           // its distinct layers

    // Everything a record's layer row is needed for, in one 32-byte slot: the
    // records of a content come in any layer order, so each access is a likely
    // cache miss, and separate arrays (tally, sole image, two results) cost one
    // miss each.
    struct alignas(32) LayerSlot {
        uint32_t content = 0;  // serial of the content that last had a file here; 0: none
        uint32_t files = 0;    // that content's files here
        int64_t sole_image = 0;
        int64_t cross_layer_files = 0;  // per_layer.cross_layer_file_count so far
        int64_t shared_files = 0;       // per_layer.shared_files_count so far
    };
    static_assert(sizeof(LayerSlot) == 32);
    std::vector<LayerSlot> layers_;
    uint32_t content_serial_ = 0;  // wraps by clearing every slot's stamp (see start_content)
    bool count_shared_ = false;    // sole images given

    std::vector<TopContent> candidates_;
    bool have_floor_ = false;
    TopContent floor_;  // the worst candidate kept after the last pruning
};

}  // namespace regcensus::dedup
