#pragma once
// The distinct directories of one layer: explicit directory entries plus every
// implied parent of any entry, the root excluded. Directories are kept as a
// tree of exact names (no hashes, so no collisions): a node is its parent's id
// plus its own component, so memory grows with the bytes of the names, not
// with the length of every full path (a 100,000-component path costs 100,000
// short nodes, not 100,000 copies of ever longer prefixes). A component
// longer than kLongComponentBytes is kept as its XXH3-128 hash instead, so
// that hostile names thousands of bytes long cost no more than short ones (a
// collision would need 2^64 such names).
//
// Entries of a tar stream come grouped by directory, so the path of the last
// directory walked is remembered with the ids of its components: the next
// path only looks up the components it does not share with it.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "regcensus/util/histogram.hpp"

namespace regcensus::layer {

class DirectorySet {
public:
    // Adds the directory `path` (normalised, non-root) and all its ancestors.
    void add_directory(std::string_view path);
    // Adds all ancestors of `path` (normalised), not the path itself.
    void add_parents_of(std::string_view path);

    int64_t count() const { return static_cast<int64_t>(nodes_.size()); }
    int64_t max_depth() const { return max_depth_; }
    const Pow2Histogram& depth_histogram() const { return depth_histogram_; }

    // Directory sizes (study 4.2.4): a regular file of `size` bytes at `path`
    // adds to its parent directory's direct bytes and to the recursive bytes
    // of every ancestor (the root excluded, as from the directory count).
    void add_file_bytes(std::string_view path, int64_t size);
    // Distinct directories per depth: element d counts the directories of depth d (element 0 is 0).
    const std::vector<int64_t>& depth_counts() const { return depth_counts_; }
    // Over every distinct directory: bytes of the regular files directly inside it, and anywhere under it.
    Pow2Histogram direct_bytes_histogram() const;
    Pow2Histogram recursive_bytes_histogram() const;

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    using NodeId = uint32_t;
    static constexpr NodeId kRoot = 0;
    static constexpr std::size_t kLongComponentBytes = 64;

    // Adds the directory `path` and its ancestors (normalised; empty = root).
    void walk(std::string_view path);
    // The id of `name` under `parent`, created (and counted) when new.
    NodeId child(NodeId parent, std::string_view name, int64_t depth);

    // Key: the parent's id (4 raw bytes) followed by the component's bytes.
    std::unordered_map<std::string, NodeId, Hash, std::equal_to<>> nodes_;
    std::string key_buffer_;  // reused for lookups: no allocation for known directories

    // The last directory walked: its path, the end offset of each component
    // in it, and each component's id.
    std::string last_path_;
    std::vector<std::size_t> last_ends_;
    std::vector<NodeId> last_ids_;

    int64_t max_depth_ = 0;
    Pow2Histogram depth_histogram_;
    std::vector<int64_t> depth_counts_;
    std::vector<int64_t> direct_bytes_, recursive_bytes_;  // by node id - 1
};

}  // namespace regcensus::layer
