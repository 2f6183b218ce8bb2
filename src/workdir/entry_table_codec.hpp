#pragma once
// The entry table of one layer as the shard file keeps it: the layer's tar
// entries (EntryRecord) encoded column by column and compressed with zstd, one
// blob per layer, so the union view and `/files` read one layer at a time
// (docs/union-view.md, "Where the entries live").
#include <span>
#include <vector>

#include "regcensus/layer/entry_record.hpp"
#include "regcensus/layer/layer_profile.hpp"

namespace regcensus {

// A regular file's path comes from `files[file_index]` when the entry holds none.
std::vector<char> encode_entry_table(const std::vector<EntryRecord>& entries, const std::vector<FileRecord>& files);
// Throws std::runtime_error when the blob is not one encode_entry_table wrote.
std::vector<EntryRecord> decode_entry_table(std::span<const char> blob);

}  // namespace regcensus
