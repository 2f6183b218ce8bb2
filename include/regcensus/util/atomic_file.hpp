#pragma once
// Checked, atomic replacement of files: the one way regcensus writes a file
// that something else will trust later (blobs, shard files, plans, results,
// image lists, layouts). Bytes go to a temporary name in the same directory;
// every write, the flush to the disk (fsync) and the close are checked; only
// then is the temporary renamed over the final name and the directory synced.
// A failure (a full disk, a quota, an I/O error) throws std::system_error
// naming the path and the cause, removes the temporary, and leaves whatever
// was at the final name untouched.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace regcensus {

// The temporary name used for `final_path`: `.NAME.tmp.<pid>.<thread>` beside it,
// so that concurrent writers (ranks, threads) of one name never share one.
std::filesystem::path temporary_path_for(const std::filesystem::path& final_path);

// True for names that temporary_path_for makes (for clean-ups of killed runs).
bool is_temporary_name(std::string_view file_name);

// Streams bytes into a temporary file; commit() puts it in place. Destroyed
// without commit (an exception, an abandoned write): the temporary is removed.
class AtomicFileWriter {
public:
    explicit AtomicFileWriter(std::filesystem::path final_path);
    ~AtomicFileWriter();
    AtomicFileWriter(const AtomicFileWriter&) = delete;
    AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

    void write(std::span<const std::byte> bytes);
    void write(std::string_view text) { write(std::as_bytes(std::span(text.data(), text.size()))); }
    // fsync, close, rename over the final name, fsync the directory.
    void commit();

    const std::filesystem::path& temporary_path() const { return temporary_; }

private:
    std::filesystem::path final_;
    std::filesystem::path temporary_;
    int fd_ = -1;
};

// The whole file at once.
void write_file_atomically(const std::filesystem::path& final_path, std::string_view bytes);

// For files another library wrote and closed (HDF5): flushes `path` to the
// disk, then renames it over `final_path` and syncs the directory. Throws
// std::system_error naming the path on any failure; `path` is then removed.
void commit_written_file(const std::filesystem::path& path, const std::filesystem::path& final_path);

// fsync of a file or directory by path; throws std::system_error naming it.
void sync_path(const std::filesystem::path& path);

}  // namespace regcensus
