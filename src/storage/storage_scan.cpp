#include "regcensus/storage/storage_scan.hpp"

#include <map>
#include <optional>
#include <set>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/schema1.hpp"
#include "regcensus/storage/registry_storage.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"

namespace regcensus {
namespace {

enum Kind : std::size_t { layer = 0, config = 1, manifest = 2 };
enum ReferencedBy : std::size_t { tagged = 0, untagged = 1, none = 2 };


// Manifests read once each (the same digest in many repositories is one blob),
// verified against their digest.
class ManifestCache {
public:
    explicit ManifestCache(const RegistryStorage& storage) : storage_(storage) {}

    const Manifest* get(const std::string& digest) {
        auto [it, fresh] = parsed_.try_emplace(digest);
        if (fresh) {
            try {
                const auto bytes = storage_.read_blob(digest, kMaxStoredManifestBytes);
                const auto parsed = Digest::parse_or_throw(digest, digest);
                std::string media_type;
                try {
                    media_type = parse_manifest(bytes, "").media_type;
                } catch (const DataError&) {
                }
                if (manifest_digest(bytes, media_type, parsed.algorithm()) == digest)
                    it->second = parse_manifest(bytes, media_type);
            } catch (const DataError&) {
                // unreadable, not a manifest, or not its digest: marks nothing
            }
        }
        return it->second ? &*it->second : nullptr;
    }

private:
    const RegistryStorage& storage_;
    std::map<std::string, std::optional<Manifest>> parsed_;
};

// The mark of one manifest: itself, its config, its layers, its entries' marks.
void mark(ManifestCache& cache, const std::string& digest, std::set<std::string>& marked,
          std::map<std::string, Kind>& kinds, int64_t& unreadable) {
    if (!marked.insert(digest).second) return;
    kinds[digest] = manifest;
    const Manifest* parsed = cache.get(digest);
    if (!parsed) {
        ++unreadable;
        return;
    }
    if (!parsed->config.digest.empty()) {
        marked.insert(parsed->config.digest);
        kinds.try_emplace(parsed->config.digest, config);
    }
    for (const auto& d : parsed->layers) {
        marked.insert(d.digest);
        kinds.try_emplace(d.digest, layer);
    }
    for (const auto& d : parsed->manifests) mark(cache, d.digest, marked, kinds, unreadable);
}

// An unreferenced blob's kind when no manifest in the store names it: a JSON
// object is taken for a config, anything else (a compressed tar) for a layer.
Kind sniffed_kind(const RegistryStorage& storage, const StoredBlobFile& blob) {
    if (blob.size > kMaxStoredManifestBytes) return layer;
    try {
        const auto bytes = storage.read_blob(blob.digest, kMaxStoredManifestBytes);
        const auto first = bytes.find_first_not_of(" \t\r\n");
        return first != std::string::npos && bytes[first] == '{' ? config : layer;
    } catch (const DataError&) {
        return layer;
    }
}

}  // namespace

StorageSummary scan_storage(const std::filesystem::path& root) {
    const RegistryStorage storage(root);
    StorageSummary s;
    s.present = true;
    s.root = storage.root().string();
    ManifestCache cache(storage);
    std::set<std::string> tagged_marks, all_marks;
    std::map<std::string, Kind> kinds;
    int64_t unreadable_tagged = 0;
    const auto blobs = storage.blobs();
    std::map<std::string, int64_t> stored_size;
    for (const auto& blob : blobs) stored_size.emplace(blob.digest, blob.size);
    // A blob's stored size, else what its descriptor states (a blob missing from the store).
    const auto size_of = [&](const std::string& digest, int64_t declared) {
        const auto found = stored_size.find(digest);
        return found != stored_size.end() ? found->second : std::max<int64_t>(declared, 0);
    };
    for (const auto& repository : storage.repositories()) {
        ++s.repositories;
        std::set<std::string> tag_targets;
        for (const auto& tag : storage.tags(repository)) {
            ++s.tags;
            try {
                const auto target = storage.tag_target(repository, tag);
                if (target && storage.has_revision(repository, *target)) tag_targets.insert(*target);
            } catch (const DataError&) {
                // a garbage link tags nothing
            }
        }
        std::set<std::string> repository_tagged;
        for (const auto& target : tag_targets) mark(cache, target, repository_tagged, kinds, unreadable_tagged);
        tagged_marks.insert(repository_tagged.begin(), repository_tagged.end());
        for (const auto& revision : storage.revisions(repository)) {
            ++s.manifests;
            if (!repository_tagged.count(revision)) ++s.untagged_manifests;
            mark(cache, revision, all_marks, kinds, s.unreadable_manifests);
            const Manifest* parsed = cache.get(revision);
            s.image_bytes_without_layer_sharing += size_of(revision, 0);
            if (!parsed) continue;
            if (!parsed->config.digest.empty())
                s.image_bytes_without_layer_sharing += size_of(parsed->config.digest, parsed->config.size);
            for (const auto& d : parsed->layers)
                s.image_bytes_without_layer_sharing += size_of(d.digest, d.size);
        }
    }
    // A manifest no revision names any more (deleted) still tells what its blobs were.
    for (const auto& blob : blobs) {
        if (all_marks.count(blob.digest) || blob.size > kMaxStoredManifestBytes) continue;
        if (const Manifest* parsed = cache.get(blob.digest)) {
            kinds.try_emplace(blob.digest, manifest);
            if (!parsed->config.digest.empty()) kinds.try_emplace(parsed->config.digest, config);
            for (const auto& d : parsed->layers) kinds.try_emplace(d.digest, layer);
            for (const auto& d : parsed->manifests) kinds.try_emplace(d.digest, manifest);
        }
    }
    for (const auto& blob : blobs) {
        ++s.blob_count;
        s.blob_bytes += blob.size;
        const ReferencedBy by = tagged_marks.count(blob.digest) ? tagged : all_marks.count(blob.digest) ? untagged : none;
        const auto known = kinds.find(blob.digest);
        const Kind kind = known != kinds.end() ? known->second : sniffed_kind(storage, blob);
        ++s.count[by][kind];
        s.bytes[by][kind] += blob.size;
    }
    return s;
}

void add_census_dedup(StorageSummary& summary, const DedupSummary& dedup) {
    summary.file_count = dedup.file_count;
    summary.file_bytes = dedup.file_bytes;
    summary.unique_file_count = dedup.unique_file_count;
    summary.unique_file_bytes = dedup.unique_bytes;
}

}  // namespace regcensus
