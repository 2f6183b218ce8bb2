#include "regcensus/results/storage_report.hpp"

#include <cstdio>

#include "regcensus/results/storage_results.hpp"

namespace regcensus {
namespace {

double megabytes(int64_t bytes) { return double(bytes) / 1e6; }

}  // namespace

void print_storage_text(const h5::Location& file) {
    const auto s = read_storage_group(file);
    if (!s) return;
    std::printf("\n  registry storage %s\n", s->root.c_str());
    std::printf("  %-38s %lld repositories, %lld tags, %lld manifests (%lld untagged, %lld unreadable)\n", "holds",
                (long long)s->repositories, (long long)s->tags, (long long)s->manifests,
                (long long)s->untagged_manifests, (long long)s->unreadable_manifests);
    std::printf("  %-38s %lld blobs, %.1f MB\n", "blobs stored", (long long)s->blob_count, megabytes(s->blob_bytes));
    static const char* const labels[] = {"referenced by a tagged manifest", "referenced only by untagged ones",
                                         "referenced by none (GC frees them)"};
    for (std::size_t by = 0; by < kStorageReferencedBy.size(); ++by) {
        std::printf("  %-38s %lld blobs, %.1f MB:", labels[by], (long long)s->referenced_count(by),
                    megabytes(s->referenced_bytes(by)));
        for (std::size_t k = 0; k < kStorageBlobKinds.size(); ++k)
            std::printf("%s %lld %ss %.1f MB", k ? "," : "", (long long)s->count[by][k], kStorageBlobKinds[k],
                        megabytes(s->bytes[by][k]));
        std::printf("\n");
    }
    std::printf("  %-38s %.1f MB, against %.1f MB stored referenced\n", "images without layer sharing",
                megabytes(s->image_bytes_without_layer_sharing),
                megabytes(s->referenced_bytes(0) + s->referenced_bytes(1)));
    std::printf("  %-38s %.1f MB in %lld files, %.1f MB in %lld distinct contents\n", "files of the layers censused",
                megabytes(s->file_bytes), (long long)s->file_count, megabytes(s->unique_file_bytes),
                (long long)s->unique_file_count);
}

void storage_json(const h5::Location& file, JsonWriter& json) {
    const auto s = read_storage_group(file);
    if (!s) return;
    json.key("storage").begin_object();
    json.member("repositories", s->repositories).member("tags", s->tags).member("manifests", s->manifests);
    json.member("untagged_manifests", s->untagged_manifests).member("unreadable_manifests", s->unreadable_manifests);
    json.member("blob_count", s->blob_count).member("blob_bytes", s->blob_bytes);
    json.member("image_bytes_without_layer_sharing", s->image_bytes_without_layer_sharing);
    json.member("file_count", s->file_count).member("file_bytes", s->file_bytes);
    json.member("unique_file_count", s->unique_file_count).member("unique_file_bytes", s->unique_file_bytes);
    for (std::size_t by = 0; by < kStorageReferencedBy.size(); ++by) {
        json.key(std::string("referenced_by_") + kStorageReferencedBy[by]).begin_object(JsonWriter::Layout::inline_);
        json.member("count", s->referenced_count(by)).member("bytes", s->referenced_bytes(by));
        for (std::size_t k = 0; k < kStorageBlobKinds.size(); ++k) {
            json.member(std::string(kStorageBlobKinds[k]) + "_count", s->count[by][k]);
            json.member(std::string(kStorageBlobKinds[k]) + "_bytes", s->bytes[by][k]);
        }
        json.end_object();
    }
    json.end_object();
}

}  // namespace regcensus
