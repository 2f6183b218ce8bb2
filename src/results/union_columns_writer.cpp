#include "union_columns_writer.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <string>

namespace regcensus {

void write_image_layer_changes(const h5::File& file, const CensusResults& r);

void write_union_columns(const h5::File& file, const CensusResults& r) {
    auto g = file.open_group("images");
    const std::size_t n = r.images.size();
    // The figures of a row whose status is ok (summarise() may have failed it since the walk).
    auto figures_of = [&](std::size_t i) -> const UnionFigures* {
        // The contract: rows whose status is not ok hold -1 (an --untagged storage row is analysed, yet not ok).
        if (i >= r.image_union.size() || !r.image_union[i] || r.images[i].status != "ok") return nullptr;
        return &*r.image_union[i];
    };
    struct Column {
        const char* name;
        int64_t UnionFigures::*field;
        const char* description;
        const char* units;
    };
    static const Column columns[] = {
        {"union_file_count", &UnionFigures::file_count, "Regular files in the union view (the layers applied base first, OCI whiteouts honoured).", ""},
        {"union_file_bytes", &UnionFigures::file_bytes, "Bytes of the regular files in the union view.", "bytes"},
        {"union_dir_count", &UnionFigures::dir_count, "Directories of the union view: explicit entries plus every proper prefix of any path in it, root excluded.", ""},
        {"union_max_depth", &UnionFigures::max_depth, "Largest number of path components of any directory of the union view, 0 if none.", ""},
        {"union_symlink_count", &UnionFigures::symlink_count, "Symbolic links in the union view.", ""},
        {"overwritten_file_count", &UnionFigures::overwritten_file_count, "Regular files of the image's layers hidden by a later entry at their path or an ancestor's (same bytes included).", ""},
        {"overwritten_bytes", &UnionFigures::overwritten_bytes, "Bytes of the overwritten regular files.", "bytes"},
        {"deleted_file_count", &UnionFigures::deleted_file_count, "Regular files of the image's layers removed by a later layer's whiteout or opaque marker.", ""},
        {"deleted_bytes", &UnionFigures::deleted_bytes, "Bytes of the deleted regular files.", "bytes"},
        {"duplicate_file_count", &UnionFigures::duplicate_file_count, "Regular files of the union view minus their distinct contents (copies inside the final view).", ""},
        {"duplicate_bytes", &UnionFigures::duplicate_bytes, "Bytes of the union view's regular files minus the bytes of their distinct contents.", "bytes"},
    };
    for (const auto& c : columns) {
        std::vector<int64_t> values(n, -1);
        for (std::size_t i = 0; i < n; ++i)
            if (const auto* f = figures_of(i)) values[i] = f->*(c.field);
        g.write_int64(c.name, values, std::string(c.description) + " -1 unless status is ok.", c.units);
    }
    std::vector<int64_t> wasted(n, -1);
    std::vector<double> efficiency(n, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t i = 0; i < n; ++i) {
        const auto* f = figures_of(i);
        if (!f) continue;
        wasted[i] = f->overwritten_bytes + f->deleted_bytes + f->duplicate_bytes;
        const int64_t file_bytes = i < r.image_totals.size() ? r.image_totals[i].file_bytes : -1;
        efficiency[i] = file_bytes > 0 ? 1.0 - static_cast<double>(wasted[i]) / static_cast<double>(file_bytes) : 1.0;
    }
    g.write_int64("wasted_bytes", wasted, "overwritten_bytes + deleted_bytes + duplicate_bytes; -1 unless status is ok.",
                  "bytes");
    g.write_float64("efficiency", efficiency,
                    "1 - wasted_bytes / file_bytes (1 when file_bytes is 0); NaN unless status is ok.");
    write_image_layer_changes(file, r);
}

// /image_layers: one row per (image, position), in the order of /images/layer_rows
// (the build-history writer fills the same table; whichever runs first creates it).
void write_image_layer_changes(const h5::File& file, const CensusResults& r) {
    auto g = file.open_or_create_group("image_layers");
    const auto& offsets = r.plan.image_layer_offsets;
    const std::size_t rows = r.plan.image_layer_rows.size();
    std::vector<int64_t> added_files(rows, -1), added_bytes(rows, -1), over_files(rows, -1), over_bytes(rows, -1),
        del_files(rows, -1), del_bytes(rows, -1);
    for (std::size_t i = 0; i < r.images.size() && i + 1 < offsets.size(); ++i) {
        if (i >= r.image_union.size() || !r.image_union[i] || r.images[i].status != "ok") continue;
        const auto& changes = r.image_union[i]->layer_changes;
        for (auto k = offsets[i]; k < offsets[i + 1]; ++k) {
            const auto at = static_cast<std::size_t>(k);
            const auto position = static_cast<std::size_t>(k - offsets[i]);
            const auto& layer = r.layers[static_cast<std::size_t>(r.plan.image_layer_rows[at])];
            added_files[at] = layer.file_count;
            added_bytes[at] = layer.file_bytes;
            if (position < changes.size()) {
                over_files[at] = changes[position].overwritten_file_count;
                over_bytes[at] = changes[position].overwritten_bytes;
                del_files[at] = changes[position].deleted_file_count;
                del_bytes[at] = changes[position].deleted_bytes;
            }
        }
    }
    const char* unknown = " -1 unless the image's status is ok.";
    g.write_int64("added_file_count", added_files, std::string("Regular files the layer adds (its file_count).") + unknown);
    g.write_int64("added_bytes", added_bytes, std::string("Bytes of the regular files the layer adds (its file_bytes).") + unknown, "bytes");
    g.write_int64("overwritten_file_count", over_files,
                  std::string("Regular files of this image's view (this layer's own included) that the layer's entries hide.") + unknown);
    g.write_int64("overwritten_bytes", over_bytes, std::string("Bytes of those overwritten files.") + unknown, "bytes");
    g.write_int64("deleted_file_count", del_files,
                  std::string("Regular files of the view below that the layer's whiteout and opaque markers remove.") + unknown);
    g.write_int64("deleted_bytes", del_bytes, std::string("Bytes of those deleted files.") + unknown, "bytes");
}

void write_sharing_columns(const h5::File& file, const CensusResults& r) {
    auto g = file.open_group("layers");
    const std::size_t layer_count = r.plan.layers.size();
    std::vector<std::set<std::string>> manifests(layer_count), repositories(layer_count);
    const auto& offsets = r.plan.image_layer_offsets;
    for (std::size_t i = 0; i < r.images.size() && i + 1 < offsets.size(); ++i) {
        if (r.images[i].status != "ok") continue;
        for (auto k = offsets[i]; k < offsets[i + 1]; ++k) {
            const auto row = static_cast<std::size_t>(r.plan.image_layer_rows[static_cast<std::size_t>(k)]);
            manifests[row].insert(r.images[i].manifest_digest);
            repositories[row].insert(r.images[i].repository);
        }
    }
    std::vector<int64_t> manifest_count, repository_count;
    for (std::size_t row = 0; row < layer_count; ++row) {
        manifest_count.push_back(static_cast<int64_t>(manifests[row].size()));
        repository_count.push_back(static_cast<int64_t>(repositories[row].size()));
    }
    g.write_int64("manifest_ref_count", manifest_count,
                  "Distinct manifest digests, among /images rows with status ok, whose manifest lists this layer "
                  "(two tags of one manifest count once).");
    g.write_int64("repository_count", repository_count,
                  "Distinct repositories among the /images rows with status ok whose manifest lists this layer.");
}

}  // namespace regcensus
