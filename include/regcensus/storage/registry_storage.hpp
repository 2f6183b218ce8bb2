#pragma once
// The on-disk storage of a CNCF distribution registry (its `filesystem`
// storage driver), read directly and read-only: DIR/docker/registry/v2 with
//   blobs/sha256/<2 hex>/<hex>/data                          the content
//   repositories/<name>/_manifests/tags/<tag>/current/link   "sha256:<hex>"
//   repositories/<name>/_manifests/revisions/sha256/<hex>/link
//   repositories/<name>/_layers/sha256/<hex>/link            blobs the repository may serve
// Every name and every link's content is hostile: names are checked against
// the distribution grammar, a link must hold exactly the digest its directory
// names (revisions, layers) or one valid digest (tags), paths are joined with
// util/contained_path.hpp and proved to stay below DIR, and only regular files
// are read (a FIFO or device planted in the tree never blocks or feeds a read).
// Nothing here opens a file for writing.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/registry/registry_client.hpp"

namespace regcensus {

// The largest manifest read from a storage: the registry's own cap on what it serves.
inline const int64_t kMaxStoredManifestBytes = RegistryOptions{}.max_manifest_bytes;

// The largest link file read (a digest is at most 7 + 128 bytes).
inline constexpr int64_t kMaxLinkFileBytes = 4096;

struct StoredBlobFile {
    std::string digest;  // "sha256:<hex>"
    int64_t size = 0;
};

class RegistryStorage {
public:
    // `root` holds docker/registry/v2; throws std::runtime_error when it does not.
    explicit RegistryStorage(std::filesystem::path root);

    const std::filesystem::path& root() const { return root_; }

    // Repository names in name order: every directory below repositories/
    // holding `_manifests`, whose path components all pass the distribution
    // grammar. Names that do not are skipped and counted in skipped_names().
    std::vector<std::string> repositories() const;
    // Tag directory names of a repository, in name order (invalid names skipped and counted).
    std::vector<std::string> tags(const std::string& repository) const;
    // Digests of the repository's revision links, in order. A revision whose
    // link is missing or garbage is not listed (the registry would not serve it either).
    std::vector<std::string> revisions(const std::string& repository) const;

    // The digest a tag's current/link names. nullopt when the tag (or its
    // link) does not exist; DataError "link_invalid" when the link holds garbage.
    std::optional<std::string> tag_target(const std::string& repository, const std::string& tag) const;
    // True when the repository holds a revision link (manifest) or a _layers
    // link (config, layer) for `digest` whose content is that digest;
    // DataError "link_invalid" when the link exists but holds something else.
    bool has_revision(const std::string& repository, const std::string& digest) const;
    bool has_layer_link(const std::string& repository, const std::string& digest) const;

    // blobs/sha256/<2>/<hex>/data of a valid digest (DataError "invalid_digest"
    // otherwise), proved to stay below the root.
    std::filesystem::path blob_path(const std::string& digest) const;
    // The blob's size; nullopt when it is not a regular file of the store.
    std::optional<int64_t> blob_size(const std::string& digest) const;
    // The whole blob, at most `max_bytes` (DataError "too_large" beyond;
    // "blob_unknown" when absent). Not verified: callers verify against the digest.
    std::string read_blob(const std::string& digest, int64_t max_bytes) const;
    // Every blob data file of the store (invalid directory names skipped and counted), by digest.
    std::vector<StoredBlobFile> blobs() const;

    // Names skipped by the listings so far (repository, tag or blob directory
    // names outside the grammar), for a warning.
    int64_t skipped_names() const { return skipped_; }

private:
    std::filesystem::path repository_dir(const std::string& repository) const;
    // The digest a link file holds; nullopt when there is no such regular file.
    std::optional<std::string> read_link(const std::filesystem::path& link) const;
    bool has_link(const std::filesystem::path& directory, const std::string& digest) const;

    std::filesystem::path root_;
    std::filesystem::path v2_;
    mutable int64_t skipped_ = 0;
};

}  // namespace regcensus
