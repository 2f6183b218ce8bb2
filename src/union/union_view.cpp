#include "regcensus/union/union_view.hpp"

#include <algorithm>
#include <string_view>

namespace regcensus {
namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";

bool is_marker(EntryKindCode kind) { return kind == EntryKindCode::whiteout || kind == EntryKindCode::opaque; }

std::string_view parent_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::size_t depth_of(std::string_view path) { return 1 + static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')); }

}  // namespace

void UnionView::apply(const std::vector<EntryRecord>& entries) {
    // Step 1: the layer's markers act on the view below it, before any of its entries.
    for (const auto& entry : entries)
        if (is_marker(entry.kind)) apply_marker(entry);
    // Step 2: its entries, in tar order.
    for (const auto& entry : entries) add_entry(entry);
}

void UnionView::apply_marker(const EntryRecord& marker) {
    const std::string_view directory = parent_of(marker.path);
    if (marker.kind == EntryKindCode::opaque) {
        remove_below(std::string(directory), Removal::deleted);
        return;
    }
    const std::string_view name = std::string_view(marker.path).substr(directory.empty() ? 0 : directory.size() + 1);
    // ".wh." alone names nothing (and must not read as the whole directory).
    if (name.size() <= kWhiteoutPrefix.size()) return;
    std::string target(directory);
    if (!target.empty()) target += '/';
    target += name.substr(kWhiteoutPrefix.size());
    remove_tree(target, Removal::deleted);
}

void UnionView::add_entry(const EntryRecord& entry) {
    const std::string& path = entry.path;
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
        ensure_directory(path.substr(0, slash));
    if (is_marker(entry.kind)) return;
    if (const auto found = nodes_.find(path); found != nodes_.end()) {
        if (found->second.kind == EntryKindCode::dir && entry.kind == EntryKindCode::dir) return;
        remove_tree(path, Removal::overwritten);
    }
    Node node;
    node.kind = entry.kind;
    if (entry.kind == EntryKindCode::file) {
        node.size = entry.size;
        node.hash_high = entry.hash_high;
        node.hash_low = entry.hash_low;
    }
    insert(path, node);
}

void UnionView::ensure_directory(const std::string& path) {
    const auto found = nodes_.find(path);
    if (found != nodes_.end()) {
        if (found->second.kind == EntryKindCode::dir) return;
        erase(found, Removal::overwritten);  // a non-directory has nothing under it
    }
    Node directory;
    directory.kind = EntryKindCode::dir;
    insert(path, directory);
}

void UnionView::remove_tree(const std::string& path, Removal why) {
    if (path.empty()) {
        remove_below(path, why);
        return;
    }
    const auto found = nodes_.find(path);
    if (found == nodes_.end()) return;  // nothing at the path means nothing under it either
    const bool directory = found->second.kind == EntryKindCode::dir;
    erase(found, why);
    if (directory) remove_below(path, why);
}

void UnionView::remove_below(const std::string& directory, Removal why) {
    const std::string prefix = directory.empty() ? std::string() : directory + '/';
    // Everything under a directory is one contiguous run of the sorted map.
    auto at = nodes_.lower_bound(prefix);
    while (at != nodes_.end() && at->first.starts_with(prefix)) {
        const auto next = std::next(at);
        erase(at, why);
        at = next;
    }
}

void UnionView::insert(const std::string& path, const Node& node, bool logged) {
    nodes_.emplace(path, node);
    count(path, node, +1);
    if (logged) log_.emplace_back(path, std::nullopt);
}

void UnionView::erase(std::map<std::string, Node, std::less<>>::iterator at, Removal why) {
    const Node& node = at->second;
    if (node.kind == EntryKindCode::file) {
        if (on_removed_file) on_removed_file({at->first, node.size, why == Removal::deleted});
        if (why == Removal::overwritten) {
            ++overwritten_files_;
            overwritten_bytes_ += node.size;
        } else {
            ++deleted_files_;
            deleted_bytes_ += node.size;
        }
    }
    count(at->first, node, -1);
    log_.emplace_back(at->first, node);
    nodes_.erase(at);
}

void UnionView::count(const std::string& path, const Node& node, int sign) {
    switch (node.kind) {
        case EntryKindCode::file: {
            files_ += sign;
            bytes_ += sign * node.size;
            auto& copies = contents_[{node.hash_high, node.hash_low}];
            if (sign > 0 && copies++ == 0) {
                ++distinct_;
                distinct_bytes_ += node.size;
            } else if (sign < 0 && --copies == 0) {
                --distinct_;
                distinct_bytes_ -= node.size;
                contents_.erase({node.hash_high, node.hash_low});
            }
            break;
        }
        case EntryKindCode::dir: {
            dirs_ += sign;
            const std::size_t depth = depth_of(path);
            if (dirs_at_depth_.size() <= depth) dirs_at_depth_.resize(depth + 1, 0);
            dirs_at_depth_[depth] += sign;
            break;
        }
        case EntryKindCode::symlink: symlinks_ += sign; break;
        default: break;
    }
}

void UnionView::for_each_file(const std::function<void(const std::string&, int64_t, uint64_t, uint64_t)>& visit) const {
    for (const auto& [path, node] : nodes_)
        if (node.kind == EntryKindCode::file) visit(path, node.size, node.hash_high, node.hash_low);
}

UnionView::Mark UnionView::mark() const {
    return {log_.size(), overwritten_files_, overwritten_bytes_, deleted_files_, deleted_bytes_};
}

void UnionView::undo_to(const Mark& mark) {
    while (log_.size() > mark.log_size) {
        auto [path, previous] = std::move(log_.back());
        log_.pop_back();
        if (previous) {
            insert(path, *previous, false);
        } else {
            const auto found = nodes_.find(path);
            count(path, found->second, -1);
            nodes_.erase(found);
        }
    }
    overwritten_files_ = mark.overwritten_file_count;
    overwritten_bytes_ = mark.overwritten_bytes;
    deleted_files_ = mark.deleted_file_count;
    deleted_bytes_ = mark.deleted_bytes;
}

UnionFigures UnionView::figures() const {
    UnionFigures f;
    f.file_count = files_;
    f.file_bytes = bytes_;
    f.dir_count = dirs_;
    for (std::size_t depth = dirs_at_depth_.size(); depth-- > 0;)
        if (dirs_at_depth_[depth] > 0) {
            f.max_depth = static_cast<int64_t>(depth);
            break;
        }
    f.symlink_count = symlinks_;
    f.overwritten_file_count = overwritten_files_;
    f.overwritten_bytes = overwritten_bytes_;
    f.deleted_file_count = deleted_files_;
    f.deleted_bytes = deleted_bytes_;
    f.duplicate_file_count = files_ - distinct_;
    f.duplicate_bytes = bytes_ - distinct_bytes_;
    return f;
}

}  // namespace regcensus
