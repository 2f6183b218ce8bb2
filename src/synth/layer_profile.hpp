#pragma once
// The expected profile of a layer, accumulated from the entries the
// generator writes and the contents it generated for them, under the
// definitions of the results contract (/layers and /dedup). This is the
// ground truth's side: it never reads a tarball back.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/synth/layer_tree.hpp"
#include "regcensus/util/histogram.hpp"

namespace regcensus::synth {

// One regular-file entry (not a whiteout marker) of a layer.
struct FileOccurrence {
    std::string hash;  // content hash, 32 hex digits
    int64_t size = 0;
    ContentKind kind = ContentKind::empty;
    std::string path;  // normalised
};

// One tar entry of a layer (the root entry excluded), normalised, for the
// ground truth's replay of the union view (union_replay.hpp).
struct EntryOccurrence {
    std::string path;  // normalised
    char kind = 'f';   // f file, d dir, s symlink, h hardlink, w whiteout, o opaque, x other
    int64_t size = 0;  // regular files
    std::string hash;  // regular files: content hash, 32 hex digits
};

struct LayerProfile {
    int64_t file_count = 0;
    int64_t file_bytes = 0;
    int64_t dir_count = 0;
    int64_t max_depth = 0;
    int64_t symlink_count = 0;
    int64_t hardlink_count = 0;
    int64_t other_count = 0;
    int64_t whiteout_count = 0;
    int64_t opaque_count = 0;
    Pow2Histogram file_sizes;
    std::map<std::string, int64_t> file_types;  // category name -> regular files
    std::vector<FileOccurrence> files;          // in tar order
    // Over the layer's distinct directories: how many of each depth (index =
    // depth), and their sizes, direct (regular files directly inside) and
    // recursive (anywhere under), as the study defines directory size.
    std::vector<int64_t> directory_depths;
    Pow2Histogram directory_direct_bytes, directory_recursive_bytes;
    std::vector<EntryOccurrence> entries;       // every entry but the root, in tar order
};

class LayerProfileBuilder {
public:
    // `content` is the data written for a regular entry (empty otherwise).
    void add(const LayerEntry& entry, std::string_view content);
    LayerProfile finish();

private:
    void add_directory_and_parents(const std::string& path, bool is_directory);

    LayerProfile profile_;
    std::set<std::string> directories_;
};

// The entry's row for the union replay; `path` normalised, `content` its data.
EntryOccurrence entry_occurrence(const LayerEntry& entry, const std::string& path, std::string_view content);

// True for an entry named ".wh..wh..opq" / ".wh.<name>" (by its last component).
bool is_opaque_marker(std::string_view normalized_path);
bool is_whiteout_name(std::string_view normalized_path);

}  // namespace regcensus::synth
