#pragma once
// A distribution registry's filesystem storage as an ImageStore, so that
// `regcensus run --storage DIR` takes the census at the speed of the disks,
// with the same rows (and the same statuses for what the registry would
// refuse) as over HTTP. Everything is verified as a download would be: a
// manifest against its digest, a config before it is used, a layer as the
// analyser reads it. Read-only; one store per thread.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "regcensus/census/image_record.hpp"
#include "regcensus/registry/image_store.hpp"
#include "regcensus/storage/registry_storage.hpp"

namespace regcensus {

// The status of a /images row naming a manifest no tag names (--untagged).
inline constexpr const char* kUntaggedStatus = "untagged";

class StorageStore final : public ImageStore {
public:
    explicit StorageStore(std::filesystem::path root);

    // A tag: its current/link (missing: "manifest_unknown"; garbage:
    // "link_invalid"), then the revision link it must have ("revision_missing"),
    // then the blob ("blob_unknown"), verified ("digest_mismatch"). A digest:
    // the revision link, then the blob.
    FetchedManifest get_manifest(const std::string& repository, const std::string& reference) override;
    // The repository's _layers link ("blob_unknown" without it, as the registry
    // answers), at most max_bytes ("too_large"), verified ("digest_mismatch").
    std::string get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) override;
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest) override;
    // A blob shorter than the descriptor states: "truncated"; longer: "size_mismatch".
    std::unique_ptr<ByteSource> open_blob(const std::string& repository, const std::string& digest,
                                          int64_t expected_size) override;

    // True when some tag of `repository` names `digest`, or an index some tag names lists it.
    bool is_tagged(const std::string& repository, const std::string& digest);

    const RegistryStorage& storage() const { return storage_; }

private:
    RegistryStorage storage_;
    std::map<std::string, std::set<std::string>> tagged_;  // repository -> digests reachable from its tags
};

// The references of a census of the whole storage: "repository:tag" for every
// tag, then with `untagged` "repository@digest" for every revision no tag
// reaches; repositories in name order, tags in name order.
std::vector<std::string> storage_references(const std::filesystem::path& root, bool untagged);

// Rows resolved by digest from a storage whose manifest no tag reaches get
// status "untagged" (they are still analysed: their layers are stored). A
// store that is not a StorageStore leaves the rows alone.
void label_untagged_rows(ImageStore& store, std::vector<ImageRecord>& rows);

}  // namespace regcensus
