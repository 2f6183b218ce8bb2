#include "regcensus/storage/storage_store.hpp"

#include <cstdio>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/schema1.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"
#include "regcensus/util/digest_hasher.hpp"
#include "regcensus/util/file_byte_source.hpp"

namespace regcensus {
namespace {

bool is_digest_reference(const std::string& reference) { return reference.find(':') != std::string::npos; }


// The digests a tagged manifest brings along: itself and, for an index, its entries.
void add_reachable(const RegistryStorage& storage, const std::string& digest, std::set<std::string>& reachable) {
    if (!reachable.insert(digest).second) return;
    try {
        const auto bytes = storage.read_blob(digest, kMaxStoredManifestBytes);
        const auto manifest = parse_manifest(bytes, "");
        for (const auto& entry : manifest.manifests) reachable.insert(entry.digest);
    } catch (const DataError&) {
        // an unreadable manifest names no children; its own row reports the fault
    }
}

}  // namespace

StorageStore::StorageStore(std::filesystem::path root) : storage_(std::move(root)) {}

FetchedManifest StorageStore::get_manifest(const std::string& repository, const std::string& reference) {
    const std::string where = storage_.root().string() + ": " + repository +
                              (is_digest_reference(reference) ? "@" : ":") + reference;
    std::string digest = reference;
    if (!is_digest_reference(reference)) {
        const auto target = storage_.tag_target(repository, reference);
        if (!target) throw DataError("manifest_unknown", where + ": no such tag in the storage");
        digest = *target;
        if (!storage_.has_revision(repository, digest))
            throw DataError("revision_missing", where + ": the tag names " + digest +
                                                    ", which the repository holds no revision of");
    } else if (!storage_.has_revision(repository, digest)) {
        throw DataError("manifest_unknown", where + ": the repository holds no revision of it");
    }
    const Digest expected = Digest::parse_or_throw(digest, where);
    FetchedManifest fetched;
    try {
        fetched.bytes = storage_.read_blob(digest, kMaxStoredManifestBytes);
    } catch (const DataError& error) {
        throw DataError(error.status(), where + ": " + error.what());
    }
    try {
        fetched.content_type = parse_manifest(fetched.bytes, "").media_type;
    } catch (const DataError&) {
        // left empty: the caller's parser reports the fault
    }
    fetched.digest = manifest_digest(fetched.bytes, fetched.content_type, expected.algorithm());
    if (fetched.digest != digest) throw DataError("digest_mismatch", where + ": content is " + fetched.digest);
    return fetched;
}

std::string StorageStore::get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) {
    const std::string where = storage_.root().string() + ": " + repository + "@" + digest;
    if (!storage_.has_layer_link(repository, digest))
        throw DataError("blob_unknown", where + ": the repository holds no link to this blob");
    std::string bytes;
    try {
        bytes = storage_.read_blob(digest, max_bytes);
    } catch (const DataError& error) {
        throw DataError(error.status(), where + ": " + error.what());
    }
    const std::string actual = digest_in_algorithm_of(digest, bytes);
    if (actual != digest) throw DataError("digest_mismatch", where + ": content is " + actual);
    return bytes;
}

std::unique_ptr<ByteSource> StorageStore::open_blob(const std::string& repository, const std::string& digest) {
    return open_blob(repository, digest, -1);
}

std::unique_ptr<ByteSource> StorageStore::open_blob(const std::string& repository, const std::string& digest,
                                                    int64_t expected_size) {
    const std::string where = storage_.root().string() + ": " + repository + "@" + digest;
    if (!storage_.has_layer_link(repository, digest))
        throw DataError("blob_unknown", where + ": the repository holds no link to this blob");
    const auto size = storage_.blob_size(digest);
    if (!size) throw DataError("blob_unknown", where + ": no such blob in the storage");
    if (expected_size >= 0 && *size < expected_size)
        throw DataError("truncated", where + ": " + std::to_string(*size) + " bytes, the descriptor states " +
                                         std::to_string(expected_size));
    if (expected_size >= 0 && *size != expected_size)
        throw DataError("size_mismatch", where + ": " + std::to_string(*size) + " bytes, the descriptor states " +
                                             std::to_string(expected_size));
    return std::make_unique<FileByteSource>(storage_.blob_path(digest).string());
}

bool StorageStore::is_tagged(const std::string& repository, const std::string& digest) {
    auto [it, fresh] = tagged_.try_emplace(repository);
    if (fresh) {
        for (const auto& tag : storage_.tags(repository)) {
            try {
                if (const auto target = storage_.tag_target(repository, tag)) add_reachable(storage_, *target, it->second);
            } catch (const DataError&) {
                // a garbage tag link names nothing
            }
        }
    }
    return it->second.count(digest) > 0;
}

std::vector<std::string> storage_references(const std::filesystem::path& root, bool untagged) {
    StorageStore store(root);
    const auto& storage = store.storage();
    std::vector<std::string> references;
    const auto repositories = storage.repositories();
    for (const auto& repository : repositories)
        for (const auto& tag : storage.tags(repository)) references.push_back(repository + ":" + tag);
    if (untagged)
        for (const auto& repository : repositories)
            for (const auto& digest : storage.revisions(repository))
                if (!store.is_tagged(repository, digest)) references.push_back(repository + "@" + digest);
    if (storage.skipped_names() > 0)
        std::fprintf(stderr, "warning: %s: %lld name(s) outside the distribution grammar (or links holding garbage) "
                             "skipped\n", root.c_str(), (long long)storage.skipped_names());
    return references;
}

void label_untagged_rows(ImageStore& store, std::vector<ImageRecord>& rows) {
    auto* storage = dynamic_cast<StorageStore*>(&store);
    if (!storage) return;
    for (auto& row : rows) {
        if (!row.ok() || row.tag.empty() || row.tag.front() != '@') continue;
        const auto& top = row.index_digest.empty() ? row.manifest_digest : row.index_digest;
        if (storage->is_tagged(row.repository, top)) continue;
        row.status = kUntaggedStatus;
        row.error = "no tag names this manifest: `garbage-collect --delete-untagged` would delete it";
    }
}

}  // namespace regcensus
