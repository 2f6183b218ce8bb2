#include "regcensus/results/storage_results.hpp"

#include <vector>

namespace regcensus {
namespace {

// Scalar figures, as attributes of /storage: name, member.
struct ScalarFigure {
    const char* name;
    int64_t StorageSummary::*value;
};
constexpr ScalarFigure kScalars[] = {
    {"repositories", &StorageSummary::repositories},
    {"tags", &StorageSummary::tags},
    {"manifests", &StorageSummary::manifests},
    {"untagged_manifests", &StorageSummary::untagged_manifests},
    {"unreadable_manifests", &StorageSummary::unreadable_manifests},
    {"blob_count", &StorageSummary::blob_count},
    {"blob_bytes", &StorageSummary::blob_bytes},
    {"image_bytes_without_layer_sharing", &StorageSummary::image_bytes_without_layer_sharing},
    {"file_count", &StorageSummary::file_count},
    {"file_bytes", &StorageSummary::file_bytes},
    {"unique_file_count", &StorageSummary::unique_file_count},
    {"unique_file_bytes", &StorageSummary::unique_file_bytes},
};

}  // namespace

StorageSummary storage_summary_of(const std::map<std::string, std::string>& plan_parameters,
                                  const DedupSummary& dedup) {
    const auto root = plan_parameters.find("storage");
    if (root == plan_parameters.end() || root->second.empty()) return {};
    auto summary = scan_storage(root->second);
    add_census_dedup(summary, dedup);
    return summary;
}

void write_storage_group(const h5::Location& file, const StorageSummary& s) {
    if (!s.present) return;
    auto g = file.create_group("storage");
    g.set_attribute("root", s.root);
    for (const auto& figure : kScalars) g.set_attribute(figure.name, s.*figure.value);
    std::vector<std::string> referenced_by, kind;
    std::vector<int64_t> count, bytes;
    for (std::size_t by = 0; by < kStorageReferencedBy.size(); ++by)
        for (std::size_t k = 0; k < kStorageBlobKinds.size(); ++k) {
            referenced_by.emplace_back(kStorageReferencedBy[by]);
            kind.emplace_back(kStorageBlobKinds[k]);
            count.push_back(s.count[by][k]);
            bytes.push_back(s.bytes[by][k]);
        }
    g.write_strings("referenced_by", referenced_by,
                    "What references the blobs of the row: tagged (a manifest some tag reaches), untagged (only "
                    "manifests no tag reaches), none (no manifest: garbage collection would delete them).");
    g.write_strings("kind", kind, "Kind of the blobs of the row: layer, config or manifest.");
    g.write_int64("count", count, "Blobs of the store of this class and kind.");
    g.write_int64("bytes", bytes, "Stored bytes of those blobs.", "bytes");
}

std::optional<StorageSummary> read_storage_group(const h5::Location& file) {
    if (!file.has("storage")) return std::nullopt;
    const auto g = file.open_group("storage");
    StorageSummary s;
    s.present = true;
    s.root = g.string_attribute("root");
    for (const auto& figure : kScalars) s.*figure.value = g.int64_attribute(figure.name);
    const auto referenced_by = g.read_strings("referenced_by");
    const auto kind = g.read_strings("kind");
    const auto count = g.read_int64("count");
    const auto bytes = g.read_int64("bytes");
    for (std::size_t row = 0; row < referenced_by.size() && row < kind.size(); ++row)
        for (std::size_t by = 0; by < kStorageReferencedBy.size(); ++by)
            for (std::size_t k = 0; k < kStorageBlobKinds.size(); ++k)
                if (referenced_by[row] == kStorageReferencedBy[by] && kind[row] == kStorageBlobKinds[k]) {
                    s.count[by][k] = count.at(row);
                    s.bytes[by][k] = bytes.at(row);
                }
    return s;
}

}  // namespace regcensus
