#pragma once
// A finished shard: `WORK/shards/shard-NNNNN.h5` with the profiles of its
// layers and one content record per regular file (hash, size, type, path).
// Written to a temporary name, checked to its close, and renamed, so a file
// that exists was complete when written; shard_file_problem tells whether it
// still is (a disk error, a hand edit, a file of another plan).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/util/row_status.hpp"  // is_retryable_status

namespace regcensus {

struct ShardResult {
    int64_t shard_id = 0;
    std::vector<LayerAnalysis> layers;  // in the shard's digest order
};

std::string shard_path(const std::string& work_dir, int64_t shard_id);
bool shard_exists(const std::string& work_dir, int64_t shard_id);
// Throws std::runtime_error "cannot write PATH: cause"; nothing is left at `path` then.
void write_shard(const ShardResult& shard, const std::string& path);
// Why the file at `path` is not a good shard `shard_id` of the plan whose
// layers are `planned_digests` (opens as HDF5, format, shard_id, the layers in
// order, consistent tables), or nothing when it is. Never throws.
std::optional<std::string> shard_file_problem(const std::string& path, int64_t shard_id,
                                              const std::vector<std::string>& planned_digests);
// Moves the shard file to WORK/shards/bad/shard-NNNNN.h5.<unix time> (kept for
// a look, never read again); returns that path.
std::string set_shard_aside(const std::string& work_dir, int64_t shard_id);
ShardResult read_shard(const std::string& path);

// The parts of a shard file the merge reads, one at a time, so that a rank
// never holds more than one shard's file table and no paths at all.
// Layer profiles, in the shard's digest order (no file records).
std::vector<LayerProfile> read_shard_profiles(const std::string& path);
// The /files table without its paths: row i is a regular file of layer
// `layer[i]` (position in the profiles). A layer's files are consecutive rows
// in tar order, so file `index` of the layer whose first row is R is row R + index.
struct ShardFileTable {
    std::vector<int64_t> layer, index, hash_high, hash_low, size, type;
};
ShardFileTable read_shard_file_table(const std::string& path);
// The path of row `file_row` of /files.
std::string read_shard_file_path(const std::string& path, std::size_t file_row);
// Every tar entry of the layer at `position` (in the shard's digest order), tar
// order; empty for a failed layer.
std::vector<EntryRecord> read_shard_layer_entries(const std::string& path, std::size_t position);
// The same with the shard's entry-table offsets read once (read_shard_entry_offsets)
// by a caller that reads many of its layers.
std::vector<int64_t> read_shard_entry_offsets(const std::string& path);
std::vector<EntryRecord> read_shard_layer_entries(const std::string& path, std::size_t position,
                                                  const std::vector<int64_t>& offsets);
// Statuses of the shard's layers without reading its file records.
std::vector<std::string> read_shard_statuses(const std::string& path);

}  // namespace regcensus
