#pragma once
// A ByteSource over a local file, read sequentially in 1 MiB chunks through
// one owned file descriptor. Used by `analyze-layer` and by anything that
// re-reads a blob stored on disk.
#include <cstddef>
#include <string>
#include <vector>

#include "regcensus/util/byte_source.hpp"

namespace regcensus {

class FileByteSource final : public ByteSource {
public:
    static constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

    // Throws std::system_error when the file cannot be opened (a program
    // error, not a data error: the caller named the file).
    explicit FileByteSource(const std::string& path, std::size_t chunk_bytes = kChunkBytes);
    ~FileByteSource() override;
    FileByteSource(const FileByteSource&) = delete;
    FileByteSource& operator=(const FileByteSource&) = delete;

    // Throws DataError("io", ...) when a read fails.
    std::span<const std::byte> next() override;

private:
    std::string path_;
    int fd_ = -1;
    std::vector<std::byte> buffer_;
};

}  // namespace regcensus
