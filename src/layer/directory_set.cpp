#include "directory_set.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "content_hasher.hpp"

namespace regcensus::layer {

DirectorySet::NodeId DirectorySet::child(NodeId parent, std::string_view name, int64_t depth) {
    key_buffer_.resize(sizeof parent);
    std::memcpy(key_buffer_.data(), &parent, sizeof parent);
    if (name.size() <= kLongComponentBytes) {
        key_buffer_.append(name);
    } else {
        // NUL never occurs in a tar name, so it sets the hashed form apart.
        const ContentHash hash = ContentHasher::hash_whole(std::as_bytes(std::span(name.data(), name.size())));
        key_buffer_.push_back('\0');
        key_buffer_.append(reinterpret_cast<const char*>(&hash.high), sizeof hash.high);
        key_buffer_.append(reinterpret_cast<const char*>(&hash.low), sizeof hash.low);
    }
    if (const auto found = nodes_.find(std::string_view(key_buffer_)); found != nodes_.end()) return found->second;
    if (nodes_.size() >= UINT32_MAX - 1) throw std::length_error("directory set: too many directories");
    const auto id = static_cast<NodeId>(nodes_.size() + 1);  // 0 is the root
    nodes_.emplace(key_buffer_, id);
    max_depth_ = std::max(max_depth_, depth);
    depth_histogram_.add(depth);
    if (depth_counts_.size() <= static_cast<std::size_t>(depth)) depth_counts_.resize(static_cast<std::size_t>(depth) + 1, 0);
    ++depth_counts_[static_cast<std::size_t>(depth)];
    direct_bytes_.push_back(0);
    recursive_bytes_.push_back(0);
    return id;
}

void DirectorySet::walk(std::string_view path) {
    if (path == last_path_) return;  // the same directory as the entry before
    // Components shared with the last directory walked keep their ids: they
    // are the ones whose end lies inside the common prefix and at a component
    // boundary of `path` too.
    const std::size_t common = static_cast<std::size_t>(
        std::mismatch(path.begin(), path.end(), last_path_.begin(), last_path_.end()).first - path.begin());
    std::size_t keep = 0;
    while (keep < last_ends_.size()) {
        const std::size_t end = last_ends_[keep];
        if (end > common || (end < path.size() && path[end] != '/')) break;
        ++keep;
    }
    last_ends_.resize(keep);
    last_ids_.resize(keep);
    last_path_.assign(path);

    NodeId parent = keep > 0 ? last_ids_.back() : kRoot;
    std::size_t start = keep > 0 ? last_ends_.back() + 1 : 0;
    while (start < path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        parent = child(parent, path.substr(start, end - start), static_cast<int64_t>(last_ids_.size() + 1));
        last_ends_.push_back(end);
        last_ids_.push_back(parent);
        start = end + 1;
    }
}

void DirectorySet::add_parents_of(std::string_view path) {
    const auto slash = path.rfind('/');
    walk(slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash));
}

void DirectorySet::add_directory(std::string_view path) { walk(path); }

void DirectorySet::add_file_bytes(std::string_view path, int64_t size) {
    add_parents_of(path);  // the walk of the entry's own parents: remembered, no lookup
    if (last_ids_.empty()) return;  // a file in the root
    direct_bytes_[last_ids_.back() - 1] += size;
    for (const NodeId id : last_ids_) recursive_bytes_[id - 1] += size;
}

Pow2Histogram DirectorySet::direct_bytes_histogram() const {
    Pow2Histogram histogram;
    for (const int64_t bytes : direct_bytes_) histogram.add(bytes);
    return histogram;
}

Pow2Histogram DirectorySet::recursive_bytes_histogram() const {
    Pow2Histogram histogram;
    for (const int64_t bytes : recursive_bytes_) histogram.add(bytes);
    return histogram;
}

}  // namespace regcensus::layer
