#include "directory_set.hpp"

#include <algorithm>

#include "tar_path.hpp"

namespace regcensus::layer {

bool DirectorySet::insert(std::string_view path) {
    if (paths_.find(path) != paths_.end()) return false;
    paths_.emplace(path);
    const auto depth = static_cast<int64_t>(path_depth(path));
    max_depth_ = std::max(max_depth_, depth);
    depth_histogram_.add(depth);
    return true;
}

void DirectorySet::add_parents_of(std::string_view path) {
    // Walk up from the deepest parent; an already known parent has all its
    // ancestors known too (the class invariant), so the walk can stop there.
    auto slash = path.rfind('/');
    while (slash != std::string_view::npos) {
        const std::string_view parent = path.substr(0, slash);
        if (!insert(parent)) return;
        slash = parent.rfind('/');
    }
}

void DirectorySet::add_directory(std::string_view path) {
    if (path.empty()) return;  // the root is not counted
    if (insert(path)) add_parents_of(path);
}

}  // namespace regcensus::layer
