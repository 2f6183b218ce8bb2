#include "regcensus/workdir/work_directory.hpp"

#include <filesystem>

#include "regcensus/util/atomic_file.hpp"
#include "regcensus/util/contained_path.hpp"
#include "regcensus/util/digest.hpp"

namespace fs = std::filesystem;

namespace regcensus {

WorkDirectory::WorkDirectory(std::string root) : root_(std::move(root)) {
    fs::create_directories(fs::path(root_) / "blobs" / "sha256");
}

WorkDirectory::WorkDirectory(std::string root, bool keep_copies) : WorkDirectory(std::move(root)) {
    keep_copies_ = keep_copies;
}

std::string WorkDirectory::blob_path(std::string_view digest) const {
    const Digest parsed = Digest::parse_or_throw(digest, "work directory blob");
    return join_contained(root_, parsed.relative_path()).string();
}

void WorkDirectory::store_blob(std::string_view digest, std::string_view bytes) const {
    const Digest parsed = Digest::parse_or_throw(digest, "work directory blob");
    if (!keep_copies_) return;
    const fs::path path = prepare_contained_file(root_, parsed.relative_path());
    if (fs::exists(path)) return;
    write_file_atomically(path, bytes);
}

}  // namespace regcensus
