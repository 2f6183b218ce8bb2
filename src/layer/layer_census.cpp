#include "layer_census.hpp"

#include <algorithm>
#include <string>

#include "regcensus/util/data_error.hpp"
#include "regcensus/util/json_writer.hpp"
#include "tar_path.hpp"

namespace regcensus::layer {
namespace {

constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";
constexpr std::string_view kWhiteoutPrefix = ".wh.";

}  // namespace

LayerCensus::LayerCensus(LayerAnalysis& analysis, const LayerLimits& limits)
    : profile_(analysis.profile), files_(analysis.files), entries_(analysis.entries), limits_(limits) {
    LayerProfile& p = profile_;
    p.file_count = p.file_bytes = p.dir_count = p.max_depth = 0;
    p.symlink_count = p.hardlink_count = p.other_count = p.whiteout_count = p.opaque_count = 0;
    p.setuid_count = p.setgid_count = p.world_writable_count = p.root_owned_file_count = 0;
    p.mtime_min = p.mtime_max = -1;  // until an entry brings one
}

void LayerCensus::add_entry(const TarEntry& entry, ArchiveReader& reader) {
    const std::string_view path = normalise_tar_path(entry.path, path_buffer_);
    // Every entry implies its parents, whiteouts and links included.
    directories_.add_parents_of(path);
    // The layer's age: every entry counts, whatever its type, since every
    // entry was written when the layer was built.
    if (entry.mtime) add_mtime(*entry.mtime);

    // A whiteout or opaque marker is only that, whatever its tar type.
    const std::string_view name = path_basename(path);
    if (name == kOpaqueMarker) {
        ++profile_.opaque_count;
        add_entry_record(entry, path, EntryKindCode::opaque);
        return;
    }
    if (name.starts_with(kWhiteoutPrefix) && entry.kind != EntryKind::directory) {
        ++profile_.whiteout_count;
        add_entry_record(entry, path, EntryKindCode::whiteout);
        return;
    }
    switch (entry.kind) {
        case EntryKind::regular: {
            add_permissions(entry);
            add_regular_file(path, entry.size, reader);
            const FileRecord& file = files_.back();
            if (EntryRecord* record = add_entry_record(entry, path, EntryKindCode::file)) {
                record->size = file.size;
                record->hash_high = file.hash.high;
                record->hash_low = file.hash.low;
                record->type = file.type;
            }
            break;
        }
        case EntryKind::directory:
            directories_.add_directory(path);
            add_entry_record(entry, path, EntryKindCode::dir);
            break;
        case EntryKind::symlink:
            ++profile_.symlink_count;
            add_entry_record(entry, path, EntryKindCode::symlink);
            break;
        case EntryKind::hardlink:
            ++profile_.hardlink_count;
            add_entry_record(entry, path, EntryKindCode::hardlink);
            break;
        case EntryKind::device:
        case EntryKind::fifo:
            ++profile_.other_count;
            add_entry_record(entry, path, EntryKindCode::other);
            break;
        case EntryKind::other: add_entry_record(entry, path, EntryKindCode::other); break;  // e.g. a socket
    }
}

EntryRecord* LayerCensus::add_entry_record(const TarEntry& entry, std::string_view path, EntryKindCode kind) {
    // The root entry "." names no path of the view: it is a row of no table.
    if (path.empty()) return nullptr;
    EntryRecord& record = entries_.emplace_back();
    if (kind == EntryKindCode::file)
        record.file_index = static_cast<int64_t>(files_.size()) - 1;  // the path stays in files_ alone
    else
        record.path = stored_path(path);
    record.kind = kind;
    record.mode = entry.mode;
    record.uid = entry.uid;
    record.gid = entry.gid;
    record.mtime = entry.mtime.value_or(-1);
    // Targets count against the layer's path budget too: a hostile layer of
    // long link targets costs bounded memory.
    if (!entry.link_target.empty()) record.link_target = stored_path(entry.link_target);
    return &record;
}

void LayerCensus::add_mtime(int64_t mtime) {
    if (!seen_mtime_) {
        profile_.mtime_min = profile_.mtime_max = mtime;
        seen_mtime_ = true;
        return;
    }
    profile_.mtime_min = std::min(profile_.mtime_min, mtime);
    profile_.mtime_max = std::max(profile_.mtime_max, mtime);
}

void LayerCensus::add_permissions(const TarEntry& entry) {
    constexpr uint32_t kSetuid = 04000, kSetgid = 02000, kOthersWrite = 00002;
    profile_.setuid_count += (entry.mode & kSetuid) != 0;
    profile_.setgid_count += (entry.mode & kSetgid) != 0;
    profile_.world_writable_count += (entry.mode & kOthersWrite) != 0;
    profile_.root_owned_file_count += entry.uid == 0;
}

void LayerCensus::add_regular_file(std::string_view path, int64_t size, ArchiveReader& reader) {
    logical_file_bytes_ += size;
    if (logical_file_bytes_ > limits_.max_layer_bytes)
        throw DataError("too_large", "regular files (sparse holes included) exceed the limit of " +
                                         std::to_string(limits_.max_layer_bytes) + " bytes");
    ContentHash hash;
    FileType type;
    DataBlock block;
    if (!reader.read_block(block)) {
        // No data at all: an empty file, or a sparse file that is one hole.
        hasher_.begin();
        hasher_.update_zeros(size);
        hash = hasher_.finish();
        type = classify_file_type(hasher_.probe(), size);
    } else if (block.offset == 0 && static_cast<int64_t>(block.bytes.size()) == size) {
        // The whole file in one block (most files): hash in one shot, classify
        // before the next read invalidates the block.
        hash = ContentHasher::hash_whole(block.bytes);
        type = classify_file_type(block.bytes.first(std::min(block.bytes.size(), kFileTypeProbeBytes)), size);
        while (reader.read_block(block))
            if (!block.bytes.empty()) throw DataError("corrupt", "tar: file data beyond the entry's size");
    } else {
        hasher_.begin();
        int64_t position = 0;
        do {
            if (block.offset < position) throw DataError("corrupt", "tar: overlapping sparse file blocks");
            hasher_.update_zeros(block.offset - position);
            hasher_.update(block.bytes);
            position = block.offset + static_cast<int64_t>(block.bytes.size());
        } while (reader.read_block(block));
        if (position > size) throw DataError("corrupt", "tar: file data beyond the entry's size");
        hasher_.update_zeros(size - position);  // a trailing hole
        hash = hasher_.finish();
        type = classify_file_type(hasher_.probe(), size);
    }

    FileRecord& record = files_.emplace_back();
    record.hash = hash;
    record.size = size;
    record.type = type;
    record.index = static_cast<uint32_t>(profile_.file_count);
    record.path = stored_path(path);

    ++profile_.file_count;
    profile_.file_bytes += size;
    profile_.file_size.add(size);
    profile_.type_files[static_cast<std::size_t>(type)] += 1;
    profile_.type_bytes[static_cast<std::size_t>(type)] += size;
    directories_.add_file_bytes(path, size);
}

std::string LayerCensus::stored_path(std::string_view path) {
    escaped_buffer_.clear();
    append_escaped_invalid_utf8(escaped_buffer_, path);
    const auto length = static_cast<int64_t>(escaped_buffer_.size());
    if (kept_path_bytes_ + length <= limits_.max_kept_path_bytes || escaped_buffer_.size() <= kShortenedPathBytes) {
        if (escaped_buffer_.size() > kShortenedPathBytes) kept_path_bytes_ += length;
        return escaped_buffer_;
    }
    // Cut on a character boundary (the escaped text is valid UTF-8): back over continuation bytes.
    std::size_t cut = kShortenedPathBytes - kShortenedPathMarker.size();
    while (cut > 0 && (static_cast<unsigned char>(escaped_buffer_[cut]) & 0xC0) == 0x80) --cut;
    std::string shortened = escaped_buffer_.substr(0, cut);
    shortened += kShortenedPathMarker;
    return shortened;
}

void LayerCensus::finish() {
    profile_.dir_count = directories_.count();
    profile_.max_depth = directories_.max_depth();
    profile_.directory_depth = directories_.depth_histogram();
    profile_.directory_depth_counts = directories_.depth_counts();
    profile_.directory_direct_bytes = directories_.direct_bytes_histogram();
    profile_.directory_recursive_bytes = directories_.recursive_bytes_histogram();
}

}  // namespace regcensus::layer
