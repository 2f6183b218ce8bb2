#pragma once
// One tar entry of a layer, every kind (not only regular files): what the
// union view replays and what `/files` lists (docs/union-view.md). Kept per
// layer in the shard file's `/entries` table.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "regcensus/layer/file_type.hpp"

namespace regcensus {

struct ContentHash;

// The `kind` column of /files. A marker is a whiteout or opaque entry whatever
// its tar type (as in the /layers counts).
enum class EntryKindCode : uint8_t { file, dir, symlink, hardlink, whiteout, opaque, other };
inline constexpr std::array<std::string_view, 7> kEntryKindNames = {"file",     "dir",      "symlink", "hardlink",
                                                                     "whiteout", "opaque", "other"};
inline std::string_view entry_kind_name(EntryKindCode kind) { return kEntryKindNames[static_cast<std::size_t>(kind)]; }

struct EntryRecord {
    std::string path;  // normalised, bad UTF-8 as \xNN (shortened like FileRecord::path past the budget)
    EntryKindCode kind = EntryKindCode::other;
    int64_t size = 0;  // regular files only
    uint32_t mode = 0;
    int64_t uid = -1, gid = -1, mtime = -1;
    uint64_t hash_high = 0, hash_low = 0;  // XXH3-128 of a regular file's content
    FileType type = FileType::data;        // regular files only
    std::string link_target;               // symlinks and hard links, escaped like the path
    // A regular file's path is kept once, in LayerAnalysis::files[file_index]
    // (`path` stays empty there) until the entry table is encoded.
    int64_t file_index = -1;
};

}  // namespace regcensus
