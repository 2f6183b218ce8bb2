#pragma once
// The values of the file-level duplicate index: what goes in (one record per
// regular file of a distinct layer) and what comes out (the /dedup group, the
// unique counts per file type and the per-layer sharing counts).
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regcensus/layer/layer_profile.hpp"

namespace regcensus {

struct ContentRecord {
    ContentHash hash;
    int64_t size = 0;
    uint32_t layer_row = 0;   // row of /layers (sorted by digest)
    uint32_t file_index = 0;  // position among that layer's regular files
    FileType type = FileType::data;
};

struct TopContent {
    ContentHash hash;
    int64_t size = 0;
    int64_t copies = 0;
    int64_t layers = 0;
    FileType type = FileType::data;
    uint32_t first_layer_row = 0;  // the example: smallest layer row, then first in tar order
    uint32_t first_file_index = 0;
    std::string example_path;

    int64_t wasted_bytes() const { return (copies - 1) * size; }
};

// The order of /dedup/top: wasted bytes descending, then hash ascending. A
// strict total order over distinct contents, so the top rows do not depend on
// which rank saw which content first.
inline bool ranks_before(const TopContent& a, const TopContent& b) {
    if (a.wasted_bytes() != b.wasted_bytes()) return a.wasted_bytes() > b.wasted_bytes();
    return a.hash < b.hash;
}

// Per layer row (vectors of the layer count; empty when no layer count was
// given). Each counts regular files of that layer, all copies included.
struct LayerSharingCounts {
    std::vector<int64_t> unique_file_count;       // content occurs nowhere else in the dataset (copies == 1)
    std::vector<int64_t> cross_layer_file_count;  // content also occurs in another distinct layer
    std::vector<int64_t> shared_files_count;      // content also occurs in another image of the list
};

struct DedupSummary {
    int64_t file_count = 0;
    int64_t file_bytes = 0;
    int64_t unique_file_count = 0;
    int64_t unique_bytes = 0;
    std::map<int64_t, int64_t> contents_by_copies;  // k -> number of contents with exactly k copies
    std::vector<TopContent> top;                    // wasted bytes descending, then hash ascending
    std::array<int64_t, kFileTypeCount> unique_files_by_type{};
    std::array<int64_t, kFileTypeCount> unique_bytes_by_type{};
    LayerSharingCounts per_layer;
};

}  // namespace regcensus
