#include "regcensus/registry/oci_layout_store.hpp"

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/schema1.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"
#include "regcensus/util/digest_hasher.hpp"
#include "regcensus/util/file_byte_source.hpp"

namespace regcensus {

namespace {

bool looks_like_digest(const std::string& reference) { return reference.find(':') != std::string::npos; }

}  // namespace

OciLayoutStore::OciLayoutStore(std::filesystem::path directory) : layout_(std::move(directory)) {
    for (const auto& reference : layout_.references()) by_name_[reference.name] = reference.descriptor;
}

FetchedManifest OciLayoutStore::get_manifest(const std::string& repository, const std::string& reference) {
    const std::string where = layout_.directory().string() + ": " + repository + (looks_like_digest(reference) ? "@" : ":") + reference;
    std::string digest = reference;
    std::string media_type;
    if (!looks_like_digest(reference)) {
        auto entry = by_name_.find(repository + ":" + reference);
        if (entry == by_name_.end()) throw DataError("manifest_unknown", where + ": no such reference in index.json");
        digest = entry->second.digest;
        media_type = entry->second.media_type;
    }
    const Digest expected = Digest::parse_or_throw(digest, where);
    if (!layout_.has_blob(digest)) throw DataError("manifest_unknown", where + ": blob not in the layout");
    FetchedManifest fetched;
    fetched.bytes = layout_.read_blob(digest);
    if (media_type.empty()) {
        try {
            media_type = parse_manifest(fetched.bytes, "").media_type;
        } catch (const DataError&) {
            // left empty: the caller's parser reports the fault
        }
    }
    fetched.content_type = media_type;
    fetched.digest = manifest_digest(fetched.bytes, fetched.content_type, expected.algorithm());
    if (fetched.digest != digest)
        throw DataError("digest_mismatch", where + ": content is " + fetched.digest);
    return fetched;
}

OciLayoutStore::StoredBlob OciLayoutStore::find_blob(const std::string& digest, const std::string& where) const {
    StoredBlob blob;
    Digest::parse_or_throw(digest, where);
    blob.path = layout_.blob_path(digest);
    std::error_code error;
    blob.size = int64_t(std::filesystem::file_size(blob.path, error));
    if (error) throw DataError("blob_unknown", where + ": blob not in the layout");
    return blob;
}

std::string OciLayoutStore::get_blob(const std::string& repository, const std::string& digest, int64_t max_bytes) {
    const std::string where = layout_.directory().string() + ": " + repository + "@" + digest;
    const int64_t size = find_blob(digest, where).size;
    if (size > max_bytes)
        throw DataError("too_large", where + ": " + std::to_string(size) + " bytes exceed " + std::to_string(max_bytes));
    std::string bytes = layout_.read_blob(digest);
    const std::string actual = digest_in_algorithm_of(digest, bytes);
    if (actual != digest) throw DataError("digest_mismatch", where + ": content is " + actual);
    return bytes;
}

std::unique_ptr<ByteSource> OciLayoutStore::open_blob(const std::string& repository, const std::string& digest) {
    return open_blob(repository, digest, -1);
}

std::unique_ptr<ByteSource> OciLayoutStore::open_blob(const std::string& repository, const std::string& digest,
                                                      int64_t expected_size) {
    const std::string where = layout_.directory().string() + ": " + repository + "@" + digest;
    const StoredBlob blob = find_blob(digest, where);
    if (expected_size >= 0 && blob.size != expected_size)
        throw DataError("size_mismatch", where + ": " + std::to_string(blob.size) +
                                             " bytes, the descriptor states " + std::to_string(expected_size));
    return std::make_unique<FileByteSource>(blob.path.string());
}

}  // namespace regcensus
