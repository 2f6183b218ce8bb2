#pragma once
// The file-level duplicate index over distinct layers: content records are sent
// to an owner rank by hash, each owner sorts and counts its part, and rank 0
// combines the small per-owner summaries. Sorting packed records beats hash maps
// in both memory and time (see docs/design.md).
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/mpi/communicator.hpp"

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

struct DedupSummary {
    int64_t file_count = 0;
    int64_t file_bytes = 0;
    int64_t unique_file_count = 0;
    int64_t unique_bytes = 0;
    std::map<int64_t, int64_t> contents_by_copies;  // k -> number of contents with exactly k copies
    std::vector<TopContent> top;                    // wasted bytes descending, then hash ascending
    std::array<int64_t, kFileTypeCount> unique_files_by_type{};
    std::array<int64_t, kFileTypeCount> unique_bytes_by_type{};
};

// Finds the path of (layer_row, file_index) if this rank analysed that layer.
using PathLookup = std::function<std::optional<std::string>(uint32_t layer_row, uint32_t file_index)>;

// Collective over `comm`. The summary is complete on rank 0 only.
DedupSummary reduce_duplicates(const mpi::Communicator& comm, std::vector<ContentRecord> local,
                               std::size_t top_rows, const PathLookup& lookup_path);

std::string hash_hex(const ContentHash& hash);  // 32 lowercase hex digits, high 64 bits first

}  // namespace regcensus
