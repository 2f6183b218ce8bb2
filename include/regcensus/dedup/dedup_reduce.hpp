#pragma once
// The file-level duplicate index over distinct layers, distributed and bounded
// in memory: content records are sent to an owner rank by hash in batches, each
// owner sorts and counts its part (spilling sorted runs to disk past its
// budget), and rank 0 combines the small per-owner summaries. See docs/dedup.md.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "regcensus/dedup/dedup_types.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus {

struct DedupOptions {
    std::size_t top_rows = 1000;
    // Bytes of records (send batch + owner store) this rank may hold; past it the owner spills.
    std::size_t memory_per_rank = std::size_t{2} << 30;
    // This rank's spill directory (WORK/spill/rank-R); empty: a directory under the system temp dir.
    std::filesystem::path spill_dir;
    // Size of the per-layer vectors of DedupSummary::per_layer; 0 leaves them empty.
    std::size_t layer_count = 0;
};

// WORK/spill/rank-R.
std::filesystem::path dedup_spill_dir(const std::filesystem::path& work_dir, int rank);

// Finds the path of (layer_row, file_index) if this rank analysed that layer.
using PathLookup = std::function<std::optional<std::string>(uint32_t layer_row, uint32_t file_index)>;

// Fills `batch` from its start with this rank's next records and returns how
// many it wrote; 0 once there are no more. Lets records stream in from shard
// files instead of being held all at once.
using RecordSource = std::function<std::size_t(std::span<ContentRecord> batch)>;

// Collective over `comm`. The summary is complete on rank 0 only.
// `sole_image_of_layer` (same on every rank) is empty or has options.layer_count
// entries: the only image row listing that layer, or -1 if two or more do; it
// drives per_layer.shared_files_count. Results do not depend on the rank count,
// the memory budget or whether anything spilled.
DedupSummary reduce_duplicates(const mpi::Communicator& comm, const RecordSource& source,
                               const DedupOptions& options, const std::vector<int64_t>& sole_image_of_layer,
                               const PathLookup& lookup_path);

DedupSummary reduce_duplicates(const mpi::Communicator& comm, std::vector<ContentRecord> local,
                               const DedupOptions& options, const std::vector<int64_t>& sole_image_of_layer,
                               const PathLookup& lookup_path);

std::string hash_hex(const ContentHash& hash);  // 32 lowercase hex digits, high 64 bits first

}  // namespace regcensus
