#include "regcensus/util/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <system_error>
#include <thread>

namespace fs = std::filesystem;

namespace regcensus {
namespace {

constexpr std::string_view kTemporaryMarker = ".tmp.";

[[noreturn]] void fail(int error, const std::string& what, const fs::path& path) {
    throw std::system_error(error, std::generic_category(), what + " " + path.string());
}

void remove_quietly(const fs::path& path) {
    std::error_code ignored;
    fs::remove(path, ignored);
}

void sync_parent_directory(const fs::path& path) {
    const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
    sync_path(parent);
}

}  // namespace

fs::path temporary_path_for(const fs::path& final_path) {
    const auto thread = std::hash<std::thread::id>{}(std::this_thread::get_id()) % 1000000;
    return final_path.parent_path() / ("." + final_path.filename().string() + std::string(kTemporaryMarker) +
                                       std::to_string(::getpid()) + "." + std::to_string(thread));
}

bool is_temporary_name(std::string_view file_name) {
    return file_name.starts_with(".") && file_name.find(kTemporaryMarker) != std::string_view::npos;
}

AtomicFileWriter::AtomicFileWriter(fs::path final_path)
    : final_(std::move(final_path)), temporary_(temporary_path_for(final_)) {
    fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail(errno, "cannot create", temporary_);
}

AtomicFileWriter::~AtomicFileWriter() {
    if (fd_ >= 0) ::close(fd_);
    if (!temporary_.empty()) remove_quietly(temporary_);
}

void AtomicFileWriter::write(std::span<const std::byte> bytes) {
    const auto* data = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(errno, "cannot write", final_);
        data += n;
        left -= std::size_t(n);
    }
}

void AtomicFileWriter::commit() {
    if (::fsync(fd_) != 0) fail(errno, "cannot flush to disk", final_);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail(errno, "cannot close", final_);
    std::error_code error;
    fs::rename(temporary_, final_, error);
    if (error) fail(error.value(), "cannot rename into place", final_);
    temporary_.clear();
    sync_parent_directory(final_);
}

void write_file_atomically(const fs::path& final_path, std::string_view bytes) {
    AtomicFileWriter writer(final_path);
    writer.write(bytes);
    writer.commit();
}

void commit_written_file(const fs::path& path, const fs::path& final_path) {
    try {
        sync_path(path);
        std::error_code error;
        fs::rename(path, final_path, error);
        if (error) fail(error.value(), "cannot rename into place", final_path);
        sync_parent_directory(final_path);
    } catch (...) {
        remove_quietly(path);
        throw;
    }
}

void sync_path(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(errno, "cannot open", path);
    const int result = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    // Some file systems refuse fsync on directories (EINVAL): nothing to flush there.
    if (result != 0 && !(error == EINVAL && fs::is_directory(path))) fail(error, "cannot flush to disk", path);
}

}  // namespace regcensus
