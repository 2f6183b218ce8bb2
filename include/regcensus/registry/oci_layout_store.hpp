#pragma once
// An OCI image layout (as `regcensus fetch` writes it) as an ImageStore, so
// that `regcensus run --layout DIR` analyses a kept dataset with no network and
// gets the same results as from the registry. Read-only; safe to use from
// several threads at once.
#include <filesystem>
#include <map>
#include <string>

#include "regcensus/registry/image_store.hpp"
#include "regcensus/registry/oci_layout.hpp"

namespace regcensus {

class OciLayoutStore final : public ImageStore {
public:
    // Reads `oci-layout` and `index.json`; throws std::runtime_error when
    // `directory` is not an OCI image layout.
    explicit OciLayoutStore(std::filesystem::path directory);

    // `reference` is a tag (looked up as the index.json entry
    // "<repository>:<tag>") or a digest (read from blobs/). Missing:
    // DataError "manifest_unknown". The content type is the media type the
    // entry or the manifest states.
    FetchedManifest get_manifest(const std::string& repository, const std::string& reference) override;
    // Verified against `digest`; missing: "blob_unknown"; larger than max_bytes: "too_large".
    std::string get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) override;
    // Not verified here (the layer analyser verifies as it reads, as with a registry).
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest) override;
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest,
                                          int64_t expected_size) override;

    const OciLayout& layout() const { return layout_; }

private:
    struct StoredBlob {
        std::filesystem::path path;
        int64_t size;
    };
    // The blob's file and size; DataError "blob_unknown" (naming `where`) when absent.
    StoredBlob find_blob(const std::string& digest, const std::string& where) const;

    OciLayout layout_;
    std::map<std::string, Descriptor> by_name_;  // "<repository>:<tag>" -> entry
};

}  // namespace regcensus
