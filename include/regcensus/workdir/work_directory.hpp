#pragma once
// The run's work directory: what a rerun needs without the network. For now it
// keeps the original manifest and config bytes, content-addressed like an OCI
// layout (`blobs/<algorithm>/<hex>`), so later analyses can re-read them
// verbatim. Every path is built from a validated digest and proved to be below
// the root (util/contained_path.hpp).
#include <optional>
#include <string>
#include <string_view>

namespace regcensus {

class WorkDirectory {
public:
    explicit WorkDirectory(std::string root);  // creates it if missing
    // `keep_copies` false: store_blob keeps nothing (the source is itself a
    // local content-addressed store, a registry's storage: docs/storage.md).
    WorkDirectory(std::string root, bool keep_copies);
    const std::string& root() const { return root_; }

    // Stores bytes under their digest with write_file_atomically (checked
    // writes, fsync, rename), so concurrent ranks and killed jobs never leave a
    // partial file. A digest that is not valid (util/digest.hpp) throws
    // DataError "invalid_digest"; a path leading out of the root (a planted
    // symlink) PathEscapeError; a failed write std::system_error.
    void store_blob(std::string_view digest, std::string_view bytes) const;
    std::string blob_path(std::string_view digest) const;

private:
    std::string root_;
    bool keep_copies_ = true;
};

}  // namespace regcensus
