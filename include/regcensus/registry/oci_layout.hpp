#pragma once
// OCI image layouts on disk (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`),
// as the corpus generator writes them, and their upload into a registry.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "regcensus/manifest/manifest.hpp"

namespace regcensus {

class RegistryClient;

// The annotation that names an index.json entry; here always "<repository>:<tag>".
inline constexpr std::string_view kOciRefNameAnnotation = "org.opencontainers.image.ref.name";

struct LayoutReference {
    std::string name;        // the annotation as written; empty for an entry known by digest only
    std::string repository;  // before the last ':' that follows the last '/'
    std::string tag;
    Descriptor descriptor;   // of the manifest or index the tag names
};

class OciLayout {
public:
    // Reads `oci-layout` and `index.json`; throws std::runtime_error when the
    // directory is not a layout or an entry's name is not "<repository>:<tag>".
    // A digest in index.json that is not valid (util/digest.hpp) is refused too.
    explicit OciLayout(std::filesystem::path directory);

    const std::filesystem::path& directory() const { return directory_; }
    // The named entries: entries without a name are not references.
    const std::vector<LayoutReference>& references() const { return references_; }
    // Every entry of index.json in file order, named or not.
    const std::vector<LayoutReference>& entries() const { return entries_; }

    // blobs/<algorithm>/<encoded> below the layout; an invalid digest throws
    // DataError "invalid_digest" (never a path).
    std::filesystem::path blob_path(const std::string& digest) const;
    // Reads follow symlinks: blobs shared with another store by links are kept
    // usable; only writes (OciLayoutWriter) are held inside the directory.
    bool has_blob(const std::string& digest) const;
    // The whole blob; throws std::runtime_error when it is missing or unreadable.
    std::string read_blob(const std::string& digest) const;

private:
    std::filesystem::path directory_;
    std::vector<LayoutReference> entries_;
    std::vector<LayoutReference> references_;
};

struct PushedReference {
    std::string name;             // "<repository>:<tag>"
    std::string digest;           // of the manifest or index, as the registry reports it
    int64_t blobs_uploaded = 0;   // configs and layers sent
    int64_t blobs_present = 0;    // configs and layers the registry had already
    int64_t blobs_mounted = 0;    // configs and layers mounted from another repository of this push
    int64_t bytes_uploaded = 0;
    int64_t manifests_pushed = 0; // including the child manifests of an index
};

// Pushes every reference of the layout: blobs first (skipping those the registry
// has), then child manifests by digest, then the tagged manifest or index. A
// blob already pushed to (or found in) another repository during this push is
// mounted from there instead of sent again (uploaded where the registry does
// not mount).
// `progress` is called once per reference after it is pushed. Registry faults
// throw DataError; layout faults std::runtime_error.
std::vector<PushedReference> push_layout(RegistryClient& client, const std::filesystem::path& layout_directory,
                                         const std::function<void(const PushedReference&)>& progress = {});

}  // namespace regcensus
