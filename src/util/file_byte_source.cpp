#include "regcensus/util/file_byte_source.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "regcensus/util/data_error.hpp"

namespace regcensus {

FileByteSource::FileByteSource(const std::string& path, std::size_t chunk_bytes)
    : path_(path), buffer_(chunk_bytes == 0 ? kChunkBytes : chunk_bytes) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
    // Blobs are read once, front to back: let the kernel read ahead generously.
    ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

FileByteSource::~FileByteSource() {
    if (fd_ >= 0) ::close(fd_);
}

std::span<const std::byte> FileByteSource::next() {
    // Fill the whole chunk when the file allows it, so consumers see few, large chunks.
    std::size_t filled = 0;
    while (filled < buffer_.size()) {
        const ssize_t got = ::read(fd_, buffer_.data() + filled, buffer_.size() - filled);
        if (got < 0) {
            if (errno == EINTR) continue;
            throw DataError("io", "cannot read " + path_ + ": " + std::strerror(errno));
        }
        if (got == 0) break;
        filled += static_cast<std::size_t>(got);
    }
    return {buffer_.data(), filled};
}

}  // namespace regcensus
