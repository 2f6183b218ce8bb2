#pragma once
// The run's work directory: what a rerun needs without the network. For now it
// keeps the original manifest and config bytes, content-addressed like an OCI
// layout (`blobs/sha256/<hex>`), so later analyses can re-read them verbatim.
#include <optional>
#include <string>
#include <string_view>

namespace regcensus {

class WorkDirectory {
public:
    explicit WorkDirectory(std::string root);  // creates it if missing
    const std::string& root() const { return root_; }

    // Stores bytes under their digest; written to a temporary name and renamed,
    // so concurrent ranks and killed jobs never leave a partial file.
    void store_blob(std::string_view digest, std::string_view bytes) const;
    std::optional<std::string> load_blob(std::string_view digest) const;
    std::string blob_path(std::string_view digest) const;

private:
    std::string root_;
};

}  // namespace regcensus
