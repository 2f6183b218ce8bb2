#include "regcensus/synth/layer_tree.hpp"

#include "random.hpp"

namespace regcensus::synth {

std::string normalize_path(std::string_view path) {
    for (;;) {
        if (path.starts_with("./")) path.remove_prefix(2);
        else if (path.starts_with("/")) path.remove_prefix(1);
        else break;
    }
    while (path.ends_with("/")) path.remove_suffix(1);
    if (path == ".") return {};
    return std::string(path);
}

LayerTree::LayerTree(DirectoryEntries directories, bool dot_slash_prefix, uint64_t seed)
    : directories_(directories), dot_slash_(dot_slash_prefix), seed_(seed) {
    if (dot_slash_ && directories_ != DirectoryEntries::none) {
        // GNU tar run as `tar -C rootfs .` starts with the root itself.
        LayerEntry root;
        root.path = "./";
        root.kind = EntryKind::directory;
        root.mode = 0755;
        entries_.push_back(std::move(root));
    }
}

std::string LayerTree::archive_path(std::string_view path, bool is_directory) const {
    std::string out = dot_slash_ ? "./" : "";
    out += path;
    if (is_directory) out += '/';
    return out;
}

bool LayerTree::wants_explicit(std::string_view dir) const {
    switch (directories_) {
        case DirectoryEntries::all: return true;
        case DirectoryEntries::none: return false;
        case DirectoryEntries::some: return derive_seed(seed_, dir) % 2 == 0;
    }
    return false;
}

void LayerTree::add_parents(std::string_view path) {
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
        const std::string_view dir = path.substr(0, slash);
        if (explicit_dirs_.contains(dir) || !wants_explicit(dir)) continue;
        explicit_dirs_.emplace(dir);
        LayerEntry entry;
        entry.path = archive_path(dir, true);
        entry.kind = EntryKind::directory;
        entry.mode = 0755;
        entries_.push_back(std::move(entry));
    }
}

void LayerTree::add(LayerEntry entry, std::string_view path) {
    add_parents(path);
    entry.path = archive_path(path, entry.kind == EntryKind::directory);
    entries_.push_back(std::move(entry));
}

void LayerTree::file(std::string_view path, const ContentSpec& content, uint32_t mode, char flag) {
    LayerEntry entry;
    entry.kind = EntryKind::regular;
    entry.content = content;
    entry.mode = mode;
    entry.regular_flag = flag;
    add(std::move(entry), path);
}

void LayerTree::symlink(std::string_view path, std::string_view target) {
    LayerEntry entry;
    entry.kind = EntryKind::symlink;
    entry.link_target = target;
    entry.mode = 0777;
    add(std::move(entry), path);
}

void LayerTree::hardlink(std::string_view path, std::string_view target) {
    LayerEntry entry;
    entry.kind = EntryKind::hardlink;
    entry.link_target = archive_path(target, false);
    entry.mode = 0755;
    add(std::move(entry), path);
}

void LayerTree::directory(std::string_view path, uint32_t mode) {
    if (explicit_dirs_.contains(path)) return;
    add_parents(path);
    explicit_dirs_.emplace(path);
    LayerEntry entry;
    entry.path = archive_path(path, true);
    entry.kind = EntryKind::directory;
    entry.mode = mode;
    entries_.push_back(std::move(entry));
}

void LayerTree::device(std::string_view path, EntryKind kind, uint32_t major, uint32_t minor) {
    LayerEntry entry;
    entry.kind = kind;
    entry.mode = 0666;
    entry.dev_major = major;
    entry.dev_minor = minor;
    add(std::move(entry), path);
}

void LayerTree::fifo(std::string_view path) {
    LayerEntry entry;
    entry.kind = EntryKind::fifo;
    entry.mode = 0600;
    add(std::move(entry), path);
}

void LayerTree::whiteout(std::string_view path) {
    const auto slash = path.rfind('/');
    const std::string marker = slash == std::string_view::npos
                                   ? ".wh." + std::string(path)
                                   : std::string(path.substr(0, slash + 1)) + ".wh." + std::string(path.substr(slash + 1));
    file(marker, ContentSpec{ContentKind::empty, 0, 0}, 0644);
}

void LayerTree::opaque(std::string_view dir) { file(std::string(dir) + "/.wh..wh..opq", ContentSpec{}, 0644); }

}  // namespace regcensus::synth
