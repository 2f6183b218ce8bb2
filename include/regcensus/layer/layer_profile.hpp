#pragma once
// What the analyser learns from one layer blob: the contract's /layers fields
// (see docs/results-file.md) plus per-layer distributions, and one record per
// regular file for the duplicate index.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/layer/entry_record.hpp"
#include "regcensus/layer/file_type.hpp"
#include "regcensus/util/histogram.hpp"

namespace regcensus {

struct ContentHash {
    uint64_t high = 0;
    uint64_t low = 0;
    auto operator<=>(const ContentHash&) const = default;
};

// One regular file of a layer. `index` is its position among the layer's
// regular files in tar order, which makes "the first occurrence" well defined.
struct FileRecord {
    ContentHash hash;   // XXH3-128 of the content
    int64_t size = 0;
    FileType type = FileType::data;
    uint32_t index = 0;
    std::string path;   // normalised; bad UTF-8 bytes written as \xNN
};

struct LayerProfile {
    std::string digest;
    std::string media_type;
    std::string compression;  // gzip | zstd | none, from magic bytes; "" if never read
    std::string status = "ok";
    std::string error;

    // -1 = unknown (e.g. the layer failed). On failure only compressed_bytes is kept.
    int64_t compressed_bytes = -1;
    int64_t uncompressed_bytes = -1;
    int64_t file_count = -1;
    int64_t file_bytes = -1;
    int64_t dir_count = -1;
    int64_t max_depth = -1;
    int64_t symlink_count = -1;
    int64_t hardlink_count = -1;
    int64_t other_count = -1;
    int64_t whiteout_count = -1;
    int64_t opaque_count = -1;

    // Beyond the contract (see docs/layer-analysis.md, "Per-layer extras"):
    // regular files with the setuid / setgid bit, regular files writable by
    // everyone (mode o+w), regular files owned by uid 0, and the oldest and
    // newest mtime of any entry (Unix seconds; -1 when the layer has none).
    int64_t setuid_count = -1;
    int64_t setgid_count = -1;
    int64_t world_writable_count = -1;
    int64_t root_owned_file_count = -1;
    int64_t mtime_min = -1;
    int64_t mtime_max = -1;

    Pow2Histogram file_size;        // sizes of this layer's regular files
    Pow2Histogram directory_depth;  // depth of each distinct directory
    std::vector<int64_t> directory_depth_counts;  // distinct directories per depth (index = depth)
    Pow2Histogram directory_direct_bytes;     // per directory: bytes of the regular files directly inside
    Pow2Histogram directory_recursive_bytes;  // per directory: bytes of the regular files anywhere under it
    std::array<int64_t, kFileTypeCount> type_files{};
    std::array<int64_t, kFileTypeCount> type_bytes{};

    bool ok() const { return status == "ok"; }
};

struct LayerAnalysis {
    LayerProfile profile;
    std::vector<FileRecord> files;  // empty when the layer failed
    std::vector<EntryRecord> entries;  // every tar entry but the root, tar order; empty when the layer failed
};

}  // namespace regcensus
