#pragma once
// The accounting of one layer's tar entries, exactly per the /layers
// definitions of the results contract (see docs/layer-analysis.md for the
// decisions on edge cases): counts, directories, per-file records, per-type
// totals and the file-size histogram.
#include <cstdint>
#include <string>
#include <string_view>

#include "archive_reader.hpp"
#include "content_hasher.hpp"
#include "directory_set.hpp"
#include "regcensus/layer/layer_analyzer.hpp"

namespace regcensus::layer {

class LayerCensus {
public:
    // Zeroes the counts of `analysis.profile` and appends to `analysis.files`.
    LayerCensus(LayerAnalysis& analysis, const LayerLimits& limits);

    // Accounts one entry; a regular file's content is read from `reader`.
    void add_entry(const TarEntry& entry, ArchiveReader& reader);

    // Writes the directory figures once every entry has been seen.
    void finish();

private:
    void add_regular_file(std::string_view path, int64_t size, ArchiveReader& reader);
    // setuid, setgid, world-writable and root-owned counts of a regular file.
    void add_permissions(const TarEntry& entry);
    void add_mtime(int64_t mtime);
    // The path as the shard stores it: in full while the layer's budget of
    // path bytes lasts, else shortened when long.
    std::string stored_path(std::string_view path);
    // Appends the entry's row of the layer's entry table (docs/union-view.md);
    // nullptr for the root entry, which has none.
    EntryRecord* add_entry_record(const TarEntry& entry, std::string_view path, EntryKindCode kind);

    LayerProfile& profile_;
    std::vector<FileRecord>& files_;
    std::vector<EntryRecord>& entries_;
    const LayerLimits& limits_;
    DirectorySet directories_;
    ContentHasher hasher_;
    std::string path_buffer_;  // reused for every entry's normalised path
    std::string escaped_buffer_;  // reused for every file's stored path
    int64_t kept_path_bytes_ = 0;  // of the paths kept in full so far
    // Logical bytes of regular files, sparse holes included: bounded like the
    // decompressed stream so a sparse "bomb" cannot make hashing run forever.
    int64_t logical_file_bytes_ = 0;
    // mtime_min/max hold -1 until the first entry with an mtime, and -1 is
    // itself a valid mtime, so "seen one" is kept apart.
    bool seen_mtime_ = false;
};

}  // namespace regcensus::layer
