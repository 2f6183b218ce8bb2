#pragma once
// A tar reader over libarchive (the only file that touches libarchive): the
// tar format only, no filters (decompression is ours), fed from a TarStream
// through libarchive's read callback, data handed out without copies.
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "tar_stream.hpp"

struct archive;
struct archive_entry;

namespace regcensus::layer {

enum class EntryKind { regular, directory, symlink, hardlink, device, fifo, other };

struct TarEntry {
    std::string_view path;  // raw bytes as stored, valid until the next entry
    EntryKind kind = EntryKind::other;
    int64_t size = 0;       // logical size (sparse files: including holes)
    uint32_t mode = 0;      // permission bits with setuid/setgid/sticky (07777)
    int64_t uid = -1;       // owner's numeric id as stored
    std::optional<int64_t> mtime;  // Unix seconds, when the header has one
    int64_t gid = -1;       // group's numeric id as stored
    std::string_view link_target;  // symlink or hard-link target, raw; valid until the next entry
};

struct DataBlock {
    std::span<const std::byte> bytes;
    int64_t offset = 0;  // position in the file; a gap before it is a sparse hole
};

class ArchiveReader {
public:
    explicit ArchiveReader(TarStream& stream);
    ~ArchiveReader();
    ArchiveReader(const ArchiveReader&) = delete;
    ArchiveReader& operator=(const ArchiveReader&) = delete;

    // False after the end of the archive. Throws DataError.
    bool next_entry(TarEntry& entry);
    // The current entry's data, block by block; false after its last block.
    bool read_block(DataBlock& block);

private:
    static long read_callback(struct archive*, void* self, const void** buffer);
    [[noreturn]] void fail();

    TarStream& stream_;
    struct ArchiveFree {
        void operator()(struct archive* archive) const;
    };
    // Owned from the first line of the constructor, so a failed open cannot leak it.
    std::unique_ptr<struct archive, ArchiveFree> archive_;
    // An exception thrown while libarchive was calling us: carried across the
    // C frames and rethrown once libarchive returns.
    std::exception_ptr callback_error_;
};

}  // namespace regcensus::layer
