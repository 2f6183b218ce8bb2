#include "archive_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <new>
#include <string>
#include <type_traits>

#include "regcensus/util/data_error.hpp"

namespace regcensus::layer {

// The header declares the callback with `long` to keep <archive.h> out of it.
static_assert(std::is_same_v<la_ssize_t, long>);

namespace {

EntryKind kind_of(struct archive_entry* entry) {
    if (archive_entry_hardlink(entry) != nullptr) return EntryKind::hardlink;
    switch (archive_entry_filetype(entry)) {
        // libarchive maps tar types '0', '\0', '7' (and GNU sparse files) to
        // regular files; POSIX says unknown type flags are read as regular too.
        case AE_IFREG: return EntryKind::regular;
        case AE_IFDIR: return EntryKind::directory;
        case AE_IFLNK: return EntryKind::symlink;
        case AE_IFCHR:
        case AE_IFBLK: return EntryKind::device;
        case AE_IFIFO: return EntryKind::fifo;
        default: return EntryKind::other;
    }
}

}  // namespace

void ArchiveReader::ArchiveFree::operator()(struct archive* archive) const { archive_read_free(archive); }

ArchiveReader::ArchiveReader(TarStream& stream) : stream_(stream), archive_(archive_read_new()) {
    if (!archive_) throw std::bad_alloc();
    archive_read_support_format_tar(archive_.get());  // ustar, pax, GNU tar; nothing else
    archive_read_support_filter_none(archive_.get());
    if (archive_read_open(archive_.get(), this, nullptr, &ArchiveReader::read_callback, nullptr) != ARCHIVE_OK)
        fail();
}

ArchiveReader::~ArchiveReader() = default;

long ArchiveReader::read_callback(struct archive*, void* self, const void** buffer) {
    auto& reader = *static_cast<ArchiveReader*>(self);
    try {
        const auto chunk = reader.stream_.next();
        *buffer = chunk.data();
        return static_cast<long>(chunk.size());
    } catch (...) {
        // Exceptions must not unwind through libarchive's C frames.
        reader.callback_error_ = std::current_exception();
        return ARCHIVE_FATAL;
    }
}

void ArchiveReader::fail() {
    if (callback_error_) std::rethrow_exception(callback_error_);
    const char* message = archive_error_string(archive_.get());
    const std::string text = std::string("tar: ") + (message ? message : "unreadable archive");
    // libarchive asked for bytes the stream did not have: the tar was cut short.
    throw DataError(stream_.ended() ? "truncated" : "corrupt", text);
}

bool ArchiveReader::next_entry(TarEntry& entry) {
    struct archive_entry* header = nullptr;
    const int code = archive_read_next_header(archive_.get(), &header);
    if (code == ARCHIVE_EOF) return false;
    // ARCHIVE_WARN is fine: e.g. a pax UTF-8 path that the C locale cannot
    // represent still comes with its raw bytes.
    if (code != ARCHIVE_OK && code != ARCHIVE_WARN) fail();
    const char* path = archive_entry_pathname(header);
    if (!path) path = archive_entry_pathname_utf8(header);
    entry.path = path ? std::string_view(path) : std::string_view{};
    entry.kind = kind_of(header);
    entry.size = archive_entry_size_is_set(header) ? archive_entry_size(header) : 0;
    entry.mode = static_cast<uint32_t>(archive_entry_perm(header)) & 07777u;
    entry.uid = archive_entry_uid(header);
    entry.mtime = archive_entry_mtime_is_set(header) ? std::optional<int64_t>(archive_entry_mtime(header))
                                                     : std::nullopt;
    entry.gid = archive_entry_gid(header);
    const char* target = entry.kind == EntryKind::hardlink ? archive_entry_hardlink(header)
                         : entry.kind == EntryKind::symlink ? archive_entry_symlink(header)
                                                            : nullptr;
    entry.link_target = target ? std::string_view(target) : std::string_view{};
    return true;
}

bool ArchiveReader::read_block(DataBlock& block) {
    const void* data = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int code = archive_read_data_block(archive_.get(), &data, &size, &offset);
    if (code == ARCHIVE_EOF) return false;
    if (code != ARCHIVE_OK && code != ARCHIVE_WARN) fail();
    block.bytes = {static_cast<const std::byte*>(data), size};
    block.offset = offset;
    return true;
}

}  // namespace regcensus::layer

