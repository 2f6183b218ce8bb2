#pragma once
// Writing an OCI image layout that several processes (MPI ranks) and threads
// fill at once: every blob is written with util/atomic_file.hpp (a temp file
// per process and thread in its final directory, checked writes, fsync, then
// rename: two writers of the same blob write the same bytes, so either rename
// wins), at blobs/<algorithm>/<encoded> of a validated digest, proved to be
// below the layout directory; index.json is written once, by one process, the
// same way.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "regcensus/manifest/manifest.hpp"

namespace regcensus {

struct LayoutEntry {
    std::string name;  // the ref.name annotation, "<repository>:<tag>"; empty: an entry found by digest only
    Descriptor descriptor;
};

class OciLayoutWriter {
public:
    // Creates the directory, `blobs/sha256/` and `oci-layout` when missing.
    explicit OciLayoutWriter(std::filesystem::path directory);

    const std::filesystem::path& directory() const { return directory_; }
    // sha256 or sha512 (util/digest.hpp); otherwise DataError "invalid_digest".
    std::filesystem::path blob_path(const std::string& digest) const;
    bool has_blob(const std::string& digest) const;

    // Stores `bytes` under `digest` (not re-verified: the caller verified it).
    void write_blob(const std::string& digest, std::string_view bytes) const;
    // Streams a blob into place: `produce` gets a sink that appends to a temp
    // file, and returns normally only when the bytes are complete and verified;
    // if it throws, the temp file is removed and the exception propagates.
    using BlobSink = std::function<bool(std::span<const std::byte>)>;
    void write_blob_streaming(const std::string& digest, const std::function<void(const BlobSink&)>& produce) const;

    // Writes index.json: `entries` merged over every entry of an existing index.json
    // (same name: the new one wins; unnamed: kept once per digest), named entries
    // sorted by name, then unnamed ones by digest, so that the file depends only
    // on its content.
    void write_index(const std::vector<LayoutEntry>& entries) const;

private:
    // blob_path with its directories created, proved (symlinks resolved) to be inside the layout.
    std::filesystem::path prepare_blob_path(const std::string& digest) const;
    std::filesystem::path directory_;
};

// The descriptor JSON of an index.json entry (exposed for tests).
std::string layout_entry_json(const LayoutEntry& entry);

}  // namespace regcensus
