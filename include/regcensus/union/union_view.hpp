#pragma once
// The filesystem a container sees: an image's layers applied base first with
// OCI whiteout semantics, exactly as the results contract (format version 2,
// "The union view of an image") defines it. Built to be walked down a prefix
// tree of layer chains: apply() a layer on the way down, undo_to() on the way
// up, so a layer shared by many images is applied once per tree edge
// (docs/union-view.md).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "regcensus/layer/entry_record.hpp"

namespace regcensus {

// What applying one layer removed from the view below it (and from itself):
// regular files hidden by its entries, and removed by its markers.
struct LayerChange {
    int64_t overwritten_file_count = 0, overwritten_bytes = 0, deleted_file_count = 0, deleted_bytes = 0;
    auto operator<=>(const LayerChange&) const = default;
};

// The /images union columns of one image (wasted_bytes and efficiency follow from them).
struct UnionFigures {
    int64_t file_count = 0, file_bytes = 0, dir_count = 0, max_depth = 0, symlink_count = 0;
    int64_t overwritten_file_count = 0, overwritten_bytes = 0, deleted_file_count = 0, deleted_bytes = 0;
    int64_t duplicate_file_count = 0, duplicate_bytes = 0;
    // One per layer of the image, base first (the /image_layers columns); filled by the walk.
    std::vector<LayerChange> layer_changes;
    auto operator<=>(const UnionFigures&) const = default;
};

class UnionView {
public:
    // Where the view stood: undo_to() returns it there.
    struct Mark {
        std::size_t log_size = 0;
        int64_t overwritten_file_count = 0, overwritten_bytes = 0, deleted_file_count = 0, deleted_bytes = 0;
    };

    // Applies one layer's entries (tar order) on top of the view.
    void apply(const std::vector<EntryRecord>& entries);
    Mark mark() const;
    void undo_to(const Mark& mark);
    UnionFigures figures() const;
    // Paths in the view (for tests and memory accounting).
    std::size_t size() const { return nodes_.size(); }
    // Records in the undo log (memory accounting: the walk's bound is tested).
    std::size_t undo_records() const { return log_.size(); }
    // Called for every regular file removed (report --image lists the largest).
    struct RemovedFile {
        std::string path;
        int64_t size;
        bool deleted;  // by a marker; else overwritten
    };
    std::function<void(const RemovedFile&)> on_removed_file;
    // Every regular file of the view, in path order: path, size, content hash.
    void for_each_file(const std::function<void(const std::string&, int64_t, uint64_t, uint64_t)>& visit) const;

private:
    struct Node {
        EntryKindCode kind = EntryKindCode::other;
        int64_t size = 0;
        uint64_t hash_high = 0, hash_low = 0;
    };
    struct HashKey {
        std::size_t operator()(const std::pair<uint64_t, uint64_t>& h) const { return h.first ^ (h.second * 31); }
    };
    enum class Removal { overwritten, deleted };

    void apply_marker(const EntryRecord& marker);
    void add_entry(const EntryRecord& entry);
    void ensure_directory(const std::string& path);
    // Removes `path` and everything under it; `path` empty: everything.
    void remove_tree(const std::string& path, Removal why);
    void remove_below(const std::string& directory, Removal why);
    void insert(const std::string& path, const Node& node, bool logged = true);
    void erase(std::map<std::string, Node, std::less<>>::iterator at, Removal why);
    void count(const std::string& path, const Node& node, int sign);

    std::map<std::string, Node, std::less<>> nodes_;
    // Undo log: a path and what was there before (nothing: the path was new).
    std::vector<std::pair<std::string, std::optional<Node>>> log_;
    int64_t files_ = 0, bytes_ = 0, symlinks_ = 0, dirs_ = 0;
    std::vector<int64_t> dirs_at_depth_;
    std::unordered_map<std::pair<uint64_t, uint64_t>, int64_t, HashKey> contents_;
    int64_t distinct_ = 0, distinct_bytes_ = 0;
    int64_t overwritten_files_ = 0, overwritten_bytes_ = 0, deleted_files_ = 0, deleted_bytes_ = 0;
};

}  // namespace regcensus
