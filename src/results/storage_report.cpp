#include "regcensus/results/storage_report.hpp"

#include <cstdio>

#include "regcensus/results/storage_results.hpp"

namespace regcensus::cli {
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

void print_storage_json(const h5::Location& file) {
    const auto s = read_storage_group(file);
    if (!s) return;
    std::printf(",\n \"storage\": {\"repositories\": %lld, \"tags\": %lld, \"manifests\": %lld, "
                "\"untagged_manifests\": %lld, \"unreadable_manifests\": %lld, \"blob_count\": %lld, "
                "\"blob_bytes\": %lld, \"image_bytes_without_layer_sharing\": %lld, \"file_count\": %lld, "
                "\"file_bytes\": %lld, \"unique_file_count\": %lld, \"unique_file_bytes\": %lld",
                (long long)s->repositories, (long long)s->tags, (long long)s->manifests,
                (long long)s->untagged_manifests, (long long)s->unreadable_manifests, (long long)s->blob_count,
                (long long)s->blob_bytes, (long long)s->image_bytes_without_layer_sharing, (long long)s->file_count,
                (long long)s->file_bytes, (long long)s->unique_file_count, (long long)s->unique_file_bytes);
    for (std::size_t by = 0; by < kStorageReferencedBy.size(); ++by) {
        std::printf(",\n  \"referenced_by_%s\": {\"count\": %lld, \"bytes\": %lld", kStorageReferencedBy[by],
                    (long long)s->referenced_count(by), (long long)s->referenced_bytes(by));
        for (std::size_t k = 0; k < kStorageBlobKinds.size(); ++k)
            std::printf(", \"%s_count\": %lld, \"%s_bytes\": %lld", kStorageBlobKinds[k], (long long)s->count[by][k],
                        kStorageBlobKinds[k], (long long)s->bytes[by][k]);
        std::printf("}");
    }
    std::printf("}");
}

}  // namespace regcensus::cli
