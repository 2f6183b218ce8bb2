#pragma once
// The entries of one layer tarball, in tar order, as the recipes describe
// them. LayerTree adds the directory entries a layer style calls for
// (all, none, or some of the parents), and the "./" prefix some tar
// producers write.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/synth/content.hpp"

namespace regcensus::synth {

enum class EntryKind { regular, hardlink, symlink, directory, char_device, block_device, fifo };

struct LayerEntry {
    std::string path;           // as written into the archive
    EntryKind kind = EntryKind::regular;
    char regular_flag = '0';    // '0', '\0' (pre-POSIX) or '7' (contiguous) for regular files
    ContentSpec content;        // regular files
    std::string link_target;    // symlinks: as is; hard links: an archive path of this layer
    uint32_t mode = 0644;
    uint32_t dev_major = 0;
    uint32_t dev_minor = 0;
};

enum class DirectoryEntries {
    all,   // every parent gets an explicit entry before its first child (docker build, GNU tar)
    none,  // parents are only implied by the paths below them
    some,  // a deterministic half of the parents are explicit
};

class LayerTree {
public:
    LayerTree(DirectoryEntries directories, bool dot_slash_prefix, uint64_t seed);

    void file(std::string_view path, const ContentSpec& content, uint32_t mode = 0644, char flag = '0');
    void symlink(std::string_view path, std::string_view target);
    // `target` is the (unprefixed) path of a regular file already in this layer.
    void hardlink(std::string_view path, std::string_view target);
    void directory(std::string_view path, uint32_t mode = 0755);
    void device(std::string_view path, EntryKind kind, uint32_t major, uint32_t minor);
    void fifo(std::string_view path);
    // A whiteout of `path` (dir/.wh.name) and an opaque marker for `dir` (dir/.wh..wh..opq).
    void whiteout(std::string_view path);
    void opaque(std::string_view dir);

    std::vector<LayerEntry> take() { return std::move(entries_); }
    std::size_t size() const { return entries_.size(); }

private:
    void add(LayerEntry entry, std::string_view path);
    void add_parents(std::string_view path);
    bool wants_explicit(std::string_view dir) const;
    std::string archive_path(std::string_view path, bool is_directory) const;

    DirectoryEntries directories_;
    bool dot_slash_;
    uint64_t seed_;
    std::set<std::string, std::less<>> explicit_dirs_;
    std::vector<LayerEntry> entries_;
};

// The contract's path normalisation: leading "./" and "/" removed, trailing
// "/" removed; "" (the root) for "." and "./".
std::string normalize_path(std::string_view path);

}  // namespace regcensus::synth
