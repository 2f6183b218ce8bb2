#include "layer_profile.hpp"

#include <algorithm>

#include "regcensus/synth/content_hash.hpp"

namespace regcensus::synth {

namespace {
std::string_view base_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

int64_t components(std::string_view path) { return 1 + std::count(path.begin(), path.end(), '/'); }
}  // namespace

EntryOccurrence entry_occurrence(const LayerEntry& entry, const std::string& path, std::string_view content) {
    EntryOccurrence e;
    e.path = path;
    if (is_opaque_marker(path)) {
        e.kind = 'o';
    } else if (entry.kind != EntryKind::directory && is_whiteout_name(path)) {
        e.kind = 'w';
    } else {
        switch (entry.kind) {
            case EntryKind::regular:
                e.kind = 'f';
                e.size = static_cast<int64_t>(content.size());
                e.hash = content_hash_hex(content);
                break;
            case EntryKind::directory: e.kind = 'd'; break;
            case EntryKind::symlink: e.kind = 's'; break;
            case EntryKind::hardlink: e.kind = 'h'; break;
            default: e.kind = 'x'; break;
        }
    }
    return e;
}

bool is_opaque_marker(std::string_view normalized_path) { return base_name(normalized_path) == ".wh..wh..opq"; }

bool is_whiteout_name(std::string_view normalized_path) {
    return base_name(normalized_path).starts_with(".wh.") && !is_opaque_marker(normalized_path);
}

void LayerProfileBuilder::add_directory_and_parents(const std::string& path, bool is_directory) {
    if (path.empty()) return;  // the root is not counted
    if (is_directory) directories_.insert(path);
    for (std::size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
        directories_.insert(path.substr(0, slash));
}

void LayerProfileBuilder::add(const LayerEntry& entry, std::string_view content) {
    const std::string path = normalize_path(entry.path);
    add_directory_and_parents(path, entry.kind == EntryKind::directory);
    if (!path.empty()) profile_.entries.push_back(entry_occurrence(entry, path, content));
    if (is_opaque_marker(path)) {
        ++profile_.opaque_count;
        return;
    }
    if (entry.kind != EntryKind::directory && is_whiteout_name(path)) {
        ++profile_.whiteout_count;
        return;
    }
    switch (entry.kind) {
        case EntryKind::regular: {
            const auto size = static_cast<int64_t>(content.size());
            ++profile_.file_count;
            profile_.file_bytes += size;
            profile_.file_sizes.add(size);
            ++profile_.file_types[std::string(content_type_name(entry.content.kind))];
            profile_.files.push_back(FileOccurrence{content_hash_hex(content), size, entry.content.kind, path});
            break;
        }
        case EntryKind::hardlink: ++profile_.hardlink_count; break;
        case EntryKind::symlink: ++profile_.symlink_count; break;
        case EntryKind::char_device:
        case EntryKind::block_device:
        case EntryKind::fifo: ++profile_.other_count; break;
        case EntryKind::directory: break;
    }
}

LayerProfile LayerProfileBuilder::finish() {
    profile_.dir_count = static_cast<int64_t>(directories_.size());
    for (const auto& dir : directories_) profile_.max_depth = std::max(profile_.max_depth, components(dir));
    std::map<std::string, int64_t> direct, recursive;
    for (const auto& dir : directories_) {
        const auto depth = static_cast<std::size_t>(components(dir));
        if (profile_.directory_depths.size() <= depth) profile_.directory_depths.resize(depth + 1, 0);
        ++profile_.directory_depths[depth];
        direct[dir] = recursive[dir] = 0;
    }
    for (const auto& file : profile_.files) {
        const auto slash = file.path.rfind('/');
        if (slash == std::string::npos) continue;  // in the root, which is no directory here
        direct[file.path.substr(0, slash)] += file.size;
        for (auto cut = file.path.find('/'); cut != std::string::npos; cut = file.path.find('/', cut + 1))
            recursive[file.path.substr(0, cut)] += file.size;
    }
    for (const auto& [dir, bytes] : direct) profile_.directory_direct_bytes.add(bytes);
    for (const auto& [dir, bytes] : recursive) profile_.directory_recursive_bytes.add(bytes);
    return std::move(profile_);
}

}  // namespace regcensus::synth
