#pragma once
// The distinct directories of one layer: explicit directory entries plus every
// implied parent of any entry, the root excluded. Paths are kept as exact
// strings (no hashes, so no collisions). Invariant: a directory is only ever
// present together with all of its ancestors, so inserting the parents of a
// path stops at the first parent already known.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "regcensus/util/histogram.hpp"

namespace regcensus::layer {

class DirectorySet {
public:
    // Adds the directory `path` (normalised, non-root) and all its ancestors.
    void add_directory(std::string_view path);
    // Adds all ancestors of `path` (normalised), not the path itself.
    void add_parents_of(std::string_view path);

    int64_t count() const { return static_cast<int64_t>(paths_.size()); }
    int64_t max_depth() const { return max_depth_; }
    const Pow2Histogram& depth_histogram() const { return depth_histogram_; }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
    };
    // True if `path` was new.
    bool insert(std::string_view path);

    std::unordered_set<std::string, Hash, std::equal_to<>> paths_;
    int64_t max_depth_ = 0;
    Pow2Histogram depth_histogram_;
};

}  // namespace regcensus::layer
