#pragma once
// What a registry's storage costs, as garbage collection sees it: every blob
// of DIR/docker/registry/v2/blobs classified by what references it (a
// manifest some tag reaches, only manifests no tag names, or nothing: what
// `docker-registry garbage-collect` would delete) and by kind (layer, config,
// manifest). The mark follows the registry's own: every manifest a repository
// holds a revision link of, its config, its layers and, for an index, its
// entries. Read-only, on one process (the merge's root), verified reads only
// for the manifests it parses (a manifest whose bytes do not match its digest
// marks nothing and is counted as unreadable).
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "regcensus/dedup/dedup_types.hpp"

namespace regcensus {

inline constexpr std::array<const char*, 3> kStorageReferencedBy = {"tagged", "untagged", "none"};
inline constexpr std::array<const char*, 3> kStorageBlobKinds = {"layer", "config", "manifest"};

struct StorageSummary {
    bool present = false;  // the census read a storage (written as /storage only then)
    std::string root;
    int64_t repositories = 0, tags = 0, manifests = 0, untagged_manifests = 0, unreadable_manifests = 0;
    int64_t blob_count = 0, blob_bytes = 0;
    // [referenced_by][kind], in the orders of the arrays above.
    std::array<std::array<int64_t, 3>, 3> count{}, bytes{};
    // Per repository, every manifest it holds a revision of, with its config and
    // layers at their stored sizes: what the repositories would store without
    // sharing a blob between images.
    int64_t image_bytes_without_layer_sharing = 0;
    // The file-level duplication over the census's layers (from /dedup).
    int64_t file_count = 0, file_bytes = 0, unique_file_count = 0, unique_file_bytes = 0;

    int64_t referenced_count(std::size_t by) const { return count[by][0] + count[by][1] + count[by][2]; }
    int64_t referenced_bytes(std::size_t by) const { return bytes[by][0] + bytes[by][1] + bytes[by][2]; }
};

// Scans the storage at `root`; throws std::runtime_error when it is none.
StorageSummary scan_storage(const std::filesystem::path& root);

// The figures that come from the census itself.
void add_census_dedup(StorageSummary& summary, const DedupSummary& dedup);

}  // namespace regcensus
