// Derived figures of a census: per-image totals, file-type totals and the
// /histograms groups. Failed layers and images are counted in no distribution:
// a distribution of partly known values would mislead.
#include <algorithm>
#include <string>

#include "regcensus/results/census_results.hpp"

namespace regcensus {
namespace {

BinnedHistogram pow2(const Pow2Histogram& h, std::string description, std::string units = {}) {
    return {"pow2", h.lower_edges(), h.counts(), std::move(description), std::move(units)};
}

// One bin per value: for small integers such as depths, where powers of two would blur.
BinnedHistogram linear(const std::vector<int64_t>& values, std::string description) {
    BinnedHistogram h{"linear", {}, {}, std::move(description), {}};
    for (auto v : values) {
        if (v < 0) continue;
        if (h.counts.size() <= static_cast<std::size_t>(v)) h.counts.resize(static_cast<std::size_t>(v) + 1, 0);
        ++h.counts[static_cast<std::size_t>(v)];
    }
    for (std::size_t i = 0; i < h.counts.size(); ++i) h.lower.push_back(static_cast<int64_t>(i));
    return h;
}

// Directory distributions (docs/execution-environment.md, "Exact distributions"): depth with one bin
// per depth, and the study's directory size, direct and recursive, over every distinct directory.
void add_directory_histograms(CensusResults& r) {
    BinnedHistogram depth{"linear", {}, {}, "Depth of every distinct directory of every distinct layer, one bin per "
                                            "depth (path components; usr = 1, usr/bin = 2).", {}};
    Pow2Histogram direct, recursive;
    for (const auto& layer : r.layers) {
        if (!layer.ok()) continue;
        const auto& counts = layer.directory_depth_counts;
        if (depth.counts.size() < counts.size()) depth.counts.resize(counts.size(), 0);
        for (std::size_t d = 0; d < counts.size(); ++d) depth.counts[d] += counts[d];
        direct.merge(layer.directory_direct_bytes);
        recursive.merge(layer.directory_recursive_bytes);
    }
    for (std::size_t d = 0; d < depth.counts.size(); ++d) depth.lower.push_back(static_cast<int64_t>(d));
    r.histograms["directory_depth"] = std::move(depth);
    r.histograms["directory_direct_bytes"] =
        pow2(direct, "Per distinct directory of every distinct layer: bytes of the regular files directly inside it.",
             "bytes");
    r.histograms["directory_recursive_bytes"] =
        pow2(recursive,
             "Per distinct directory of every distinct layer: bytes of the regular files anywhere under it.", "bytes");
}

void total_images(CensusResults& r) {
    r.image_totals.assign(r.images.size(), {});
    for (std::size_t i = 0; i < r.images.size(); ++i) {
        auto& image = r.images[i];
        if (!image.ok()) continue;
        auto& t = r.image_totals[i];
        t.layer_count = static_cast<int64_t>(image.layers.size());
        t.compressed_bytes = t.uncompressed_bytes = t.file_count = t.file_bytes = 0;
        const LayerProfile* failed = nullptr;
        std::string size_disagreement;  // the first layer whose verified size this image's descriptor misstates
        for (auto k = r.plan.image_layer_offsets[i]; k < r.plan.image_layer_offsets[i + 1]; ++k) {
            const auto& layer = r.layers[static_cast<std::size_t>(r.plan.image_layer_rows[k])];
            const auto& descriptor = image.layers[static_cast<std::size_t>(k - r.plan.image_layer_offsets[i])];
            t.compressed_bytes += descriptor.size >= 0 ? descriptor.size : std::max<int64_t>(layer.compressed_bytes, 0);
            if (!layer.ok()) {
                if (!failed) failed = &layer;
                continue;
            }
            // The layer was verified by digest whatever the images said of it:
            // a descriptor that misstates its size is this image's fault alone.
            if (size_disagreement.empty() && descriptor.size >= 0 && descriptor.size != layer.compressed_bytes)
                size_disagreement = "layer " + layer.digest + ": the manifest declares " +
                                    std::to_string(descriptor.size) + " bytes, the blob has " +
                                    std::to_string(layer.compressed_bytes);
            t.uncompressed_bytes += layer.uncompressed_bytes;
            t.file_count += layer.file_count;
            t.file_bytes += layer.file_bytes;
        }
        const auto& shared = r.dedup.per_layer.shared_files_count;
        if (!failed && size_disagreement.empty() && t.file_count > 0 && !shared.empty()) {
            int64_t shared_files = 0;
            for (auto k = r.plan.image_layer_offsets[i]; k < r.plan.image_layer_offsets[i + 1]; ++k)
                shared_files += shared[static_cast<std::size_t>(r.plan.image_layer_rows[k])];
            t.shared_file_fraction = double(shared_files) / double(t.file_count);
        }
        if (failed) {
            image.status = "layer_failed";
            image.error = "layer " + failed->digest + " failed: " + failed->status + ": " + failed->error;
            t.uncompressed_bytes = t.file_count = t.file_bytes = -1;
        } else if (!size_disagreement.empty()) {
            image.status = "size_mismatch";
            image.error = std::move(size_disagreement);
            t.uncompressed_bytes = t.file_count = t.file_bytes = -1;
        }
    }
}

void total_file_types(CensusResults& r) {
    auto& f = r.file_types;
    for (const auto& layer : r.layers) {
        if (!layer.ok()) continue;
        for (std::size_t t = 0; t < kFileTypeCount; ++t) {
            f.file_count[t] += layer.type_files[t];
            f.file_bytes[t] += layer.type_bytes[t];
        }
    }
    f.unique_file_count = r.dedup.unique_files_by_type;
    f.unique_bytes = r.dedup.unique_bytes_by_type;
}

void build_histograms(CensusResults& r) {
    Pow2Histogram file_size, layer_compressed, layer_uncompressed, layer_files, layer_dirs, ref_count;
    std::vector<int64_t> layer_depths;
    for (std::size_t row = 0; row < r.layers.size(); ++row) {
        const auto& layer = r.layers[row];
        if (!layer.ok()) continue;
        file_size.merge(layer.file_size);
        layer_compressed.add(layer.compressed_bytes);
        layer_uncompressed.add(layer.uncompressed_bytes);
        layer_files.add(layer.file_count);
        layer_dirs.add(layer.dir_count);
        layer_depths.push_back(layer.max_depth);
        ref_count.add(r.plan.layers[row].ref_count);
    }
    Pow2Histogram image_compressed, image_uncompressed, image_layers, image_files;
    for (std::size_t i = 0; i < r.images.size(); ++i) {
        if (!r.images[i].ok()) continue;
        const auto& t = r.image_totals[i];
        image_compressed.add(t.compressed_bytes);
        image_uncompressed.add(t.uncompressed_bytes);
        image_layers.add(t.layer_count);
        image_files.add(t.file_count);
    }
    Pow2Histogram copies;
    for (auto [k, contents] : r.dedup.contents_by_copies) copies.add(k, contents);

    auto& h = r.histograms;
    h["file_size"] = pow2(file_size, "Sizes of all regular files of all distinct layers analysed.", "bytes");
    h["layer_compressed_bytes"] = pow2(layer_compressed, "Compressed blob size of each distinct layer.", "bytes");
    h["layer_uncompressed_bytes"] =
        pow2(layer_uncompressed, "Decompressed tar stream length of each distinct layer.", "bytes");
    h["layer_file_count"] = pow2(layer_files, "Regular files per distinct layer.");
    h["layer_dir_count"] = pow2(layer_dirs, "Distinct directories (explicit and implied) per distinct layer.");
    h["layer_max_depth"] = linear(layer_depths, "Deepest directory of each distinct layer, in path components.");
    h["layer_ref_count"] = pow2(ref_count, "Images of the list whose manifest lists each distinct layer.");
    h["image_compressed_bytes"] = pow2(image_compressed, "Sum of layer descriptor sizes of each image.", "bytes");
    h["image_uncompressed_bytes"] = pow2(image_uncompressed, "Sum of decompressed layer sizes of each image.", "bytes");
    h["image_layer_count"] = pow2(image_layers, "Layer descriptors per image manifest.");
    h["image_file_count"] = pow2(image_files, "Regular files per image (sum over its layers).");
    h["dedup_copies"] = pow2(copies, "Copies per distinct file content over the distinct layers.");
    add_directory_histograms(r);
}

}  // namespace

void summarise(CensusResults& results) {
    total_images(results);
    total_file_types(results);
    build_histograms(results);
}

}  // namespace regcensus
