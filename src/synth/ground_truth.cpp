#include "ground_truth.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <stdexcept>

#include "union_replay.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus::synth {

namespace {

using Layout = JsonWriter::Layout;

// A distinct content over the analysed layers.
struct ContentTotals {
    int64_t size = 0;
    ContentKind kind = ContentKind::empty;
    int64_t copies = 0;
    int64_t layers = 0;
    const std::string* last_layer = nullptr;  // to count distinct layers in one pass
    std::string example_path;
};

struct TypeTotals {
    int64_t file_count = 0;
    int64_t file_bytes = 0;
    int64_t unique_file_count = 0;
    int64_t unique_bytes = 0;
};

void write_histogram(JsonWriter& json, std::string_view name, const Pow2Histogram& histogram) {
    json.key(name).begin_array(Layout::inline_);
    for (int64_t count : histogram.counts()) json.value(count);
    json.end_array();
}

void write_environment(JsonWriter& json, const ImageTruth::Environment& e) {
    json.key("environment").begin_object();
    for (auto [name, value] : {std::pair{"os", &e.os}, {"architecture", &e.architecture}, {"variant", &e.variant},
                               {"user", &e.user}, {"exposed_ports", &e.exposed_ports}, {"entrypoint", &e.entrypoint},
                               {"cmd", &e.cmd}, {"workdir", &e.workdir}, {"docker_version", &e.docker_version},
                               {"author", &e.author}, {"config_media_type", &e.config_media_type}})
        json.member(name, *value);
    for (auto [name, value] : {std::pair{"runs_as_root", e.runs_as_root}, {"env_count", e.env_count},
                               {"label_count", e.label_count}, {"history_count", e.history_count},
                               {"empty_layer_count", e.empty_layer_count}, {"config_bytes", e.config_bytes},
                               {"manifest_bytes", e.manifest_bytes}, {"history_mismatch", e.history_mismatch}})
        json.member(name, value);
    json.end_object();
    json.key("layer_created").begin_array(Layout::inline_);
    for (auto v : e.layer_created) json.value(v);
    json.end_array();
    json.key("layer_created_by").begin_array();
    for (const auto& v : e.layer_created_by) json.value(v);
    json.end_array();
}

void write_image(JsonWriter& json, const ImageTruth& image, const std::map<std::string, const LayerRecord*>& layers) {
    const bool ok = image.status == "ok";
    int64_t compressed = 0, uncompressed = 0, files = 0, file_bytes = 0;
    for (const auto& digest : image.layers) {
        const LayerRecord& layer = *layers.at(digest);
        compressed += layer.compressed_bytes;
        uncompressed += layer.uncompressed_bytes;
        files += layer.profile.file_count;
        file_bytes += layer.profile.file_bytes;
    }
    json.begin_object();
    json.member("reference", image.reference);
    json.member("repository", image.repository);
    json.member("tag", image.tag);
    json.member("status", image.status);
    json.member("manifest_digest", image.manifest_digest);
    json.member("index_digest", image.index_digest);
    json.member("media_type", image.media_type);
    json.member("platform", image.platform);
    json.member("created", image.created);
    json.key("layers").begin_array();
    for (const auto& digest : image.layers) json.value(digest);
    json.end_array();
    // A failed row knows none of its sizes: -1, the contract's "unknown".
    json.member("layer_count", ok ? static_cast<int64_t>(image.layers.size()) : int64_t{-1});
    json.member("compressed_bytes", ok ? compressed : int64_t{-1});
    json.member("uncompressed_bytes", ok ? uncompressed : int64_t{-1});
    json.member("file_count", ok ? files : int64_t{-1});
    json.member("file_bytes", ok ? file_bytes : int64_t{-1});
    json.member("pull_count", image.pull_count);
    json.member("star_count", image.star_count);
    if (ok) write_environment(json, image.environment);
    // The union view (format version 2), by the plain replay; -1 for a failed row.
    std::vector<const LayerProfile*> stack;
    for (const auto& digest : image.layers) stack.push_back(&layers.at(digest)->profile);
    UnionTruth u;
    if (ok) u = replay_union(stack);
    const auto known = [ok](int64_t value) { return ok ? value : int64_t{-1}; };
    json.member("union_file_count", known(u.file_count));
    json.member("union_file_bytes", known(u.file_bytes));
    json.member("union_dir_count", known(u.dir_count));
    json.member("union_max_depth", known(u.max_depth));
    json.member("union_symlink_count", known(u.symlink_count));
    json.member("overwritten_file_count", known(u.overwritten_file_count));
    json.member("overwritten_bytes", known(u.overwritten_bytes));
    json.member("deleted_file_count", known(u.deleted_file_count));
    json.member("deleted_bytes", known(u.deleted_bytes));
    json.member("duplicate_file_count", known(u.duplicate_file_count));
    json.member("duplicate_bytes", known(u.duplicate_bytes));
    json.member("wasted_bytes", known(u.overwritten_bytes + u.deleted_bytes + u.duplicate_bytes));
    json.end_object();
}

void write_layer(JsonWriter& json, const LayerRecord& layer, int64_t ref_count, int64_t manifest_ref_count,
                 int64_t repository_count) {
    const LayerProfile& p = layer.profile;
    json.key(layer.digest).begin_object();
    json.member("media_type", layer.media_type);
    json.member("compression", compression_name(layer.compression));
    json.member("compressed_bytes", layer.compressed_bytes);
    json.member("uncompressed_bytes", layer.uncompressed_bytes);
    json.member("diff_id", layer.diff_id);
    json.member("file_count", p.file_count);
    json.member("file_bytes", p.file_bytes);
    json.member("dir_count", p.dir_count);
    json.member("max_depth", p.max_depth);
    json.member("symlink_count", p.symlink_count);
    json.member("hardlink_count", p.hardlink_count);
    json.member("other_count", p.other_count);
    json.member("whiteout_count", p.whiteout_count);
    json.member("opaque_count", p.opaque_count);
    json.member("ref_count", ref_count);
    json.member("manifest_ref_count", manifest_ref_count);
    json.member("repository_count", repository_count);
    write_histogram(json, "file_size_counts", p.file_sizes);
    json.key("file_types").begin_object(Layout::inline_);
    for (const auto& [name, count] : p.file_types) json.member(name, count);
    json.end_object();
    json.end_object();
}

}  // namespace

GroundTruthSummary write_ground_truth(const std::filesystem::path& file, uint64_t seed,
                                      const std::vector<ImageTruth>& images,
                                      const std::map<std::string, const LayerRecord*>& layers, std::size_t top_limit) {
    // The analysed layers: distinct digests listed by rows that resolve, in digest order.
    std::map<std::string, int64_t> ref_counts;
    for (const auto& image : images) {
        if (image.status != "ok") continue;
        for (const auto& digest : std::set<std::string>(image.layers.begin(), image.layers.end())) ++ref_counts[digest];
    }

    // Dedup over distinct layers: layers in digest order, files in tar order,
    // so the first occurrence met is the example the contract asks for.
    std::map<std::string, ContentTotals> contents;
    Pow2Histogram file_sizes;
    std::vector<TypeTotals> types(all_file_type_names().size());
    auto type_index = [](ContentKind kind) {
        const auto names = all_file_type_names();
        return static_cast<std::size_t>(std::find(names.begin(), names.end(), content_type_name(kind)) - names.begin());
    };
    GroundTruthSummary summary;
    Pow2Histogram layer_compressed, layer_uncompressed, layer_files, layer_dirs, layer_depth, layer_refs;
    std::vector<int64_t> directory_depths;
    Pow2Histogram directory_direct, directory_recursive;
    for (const auto& [digest, refs] : ref_counts) {
        const LayerRecord& layer = *layers.at(digest);
        ++summary.analysed_layers;
        summary.compressed_bytes += layer.compressed_bytes;
        summary.uncompressed_bytes += layer.uncompressed_bytes;
        summary.files += layer.profile.file_count;
        file_sizes.merge(layer.profile.file_sizes);
        layer_compressed.add(layer.compressed_bytes);
        layer_uncompressed.add(layer.uncompressed_bytes);
        layer_files.add(layer.profile.file_count);
        layer_dirs.add(layer.profile.dir_count);
        layer_depth.add(layer.profile.max_depth);
        const auto& depths = layer.profile.directory_depths;
        if (directory_depths.size() < depths.size()) directory_depths.resize(depths.size(), 0);
        for (std::size_t d = 0; d < depths.size(); ++d) directory_depths[d] += depths[d];
        directory_direct.merge(layer.profile.directory_direct_bytes);
        directory_recursive.merge(layer.profile.directory_recursive_bytes);
        layer_refs.add(refs);
        for (const auto& occurrence : layer.profile.files) {
            auto [it, fresh] = contents.try_emplace(occurrence.hash);
            ContentTotals& totals = it->second;
            if (fresh) {
                totals.size = occurrence.size;
                totals.kind = occurrence.kind;
                totals.example_path = occurrence.path;
            } else if (totals.size != occurrence.size || totals.kind != occurrence.kind) {
                throw std::logic_error("synth: one content hash with two sizes or kinds at " + occurrence.path);
            }
            ++totals.copies;
            if (totals.last_layer != &digest) {
                ++totals.layers;
                totals.last_layer = &digest;
            }
            TypeTotals& type = types[type_index(occurrence.kind)];
            ++type.file_count;
            type.file_bytes += occurrence.size;
        }
    }

    int64_t file_count = 0, file_bytes = 0, unique_bytes = 0;
    std::map<int64_t, int64_t> copies_histogram;
    Pow2Histogram dedup_copies;
    std::vector<const std::pair<const std::string, ContentTotals>*> wasteful;
    for (const auto& entry : contents) {
        const ContentTotals& totals = entry.second;
        file_count += totals.copies;
        file_bytes += totals.copies * totals.size;
        unique_bytes += totals.size;
        ++copies_histogram[totals.copies];
        dedup_copies.add(totals.copies);
        TypeTotals& type = types[type_index(totals.kind)];
        ++type.unique_file_count;
        type.unique_bytes += totals.size;
        if ((totals.copies - 1) * totals.size > 0) wasteful.push_back(&entry);
    }
    std::sort(wasteful.begin(), wasteful.end(), [](const auto* a, const auto* b) {
        const int64_t waste_a = (a->second.copies - 1) * a->second.size;
        const int64_t waste_b = (b->second.copies - 1) * b->second.size;
        if (waste_a != waste_b) return waste_a > waste_b;
        return a->first < b->first;
    });
    if (wasteful.size() > top_limit) wasteful.resize(top_limit);

    // Per-image histograms over the rows of the list (failed rows are unknown, -1, and skipped).
    Pow2Histogram image_compressed, image_uncompressed, image_layers, image_files;
    for (const auto& image : images) {
        if (image.status != "ok") continue;
        int64_t compressed = 0, uncompressed = 0, files = 0;
        for (const auto& digest : image.layers) {
            compressed += layers.at(digest)->compressed_bytes;
            uncompressed += layers.at(digest)->uncompressed_bytes;
            files += layers.at(digest)->profile.file_count;
        }
        image_compressed.add(compressed);
        image_uncompressed.add(uncompressed);
        image_layers.add(static_cast<int64_t>(image.layers.size()));
        image_files.add(files);
    }

    JsonWriter json(true);
    json.begin_object();
    json.member("seed", static_cast<int64_t>(seed));
    json.member("format", "regcensus-synth-groundtruth");
    json.member("version", 1);
    json.key("images").begin_array();
    for (const auto& image : images) write_image(json, image, layers);
    json.end_array();
    json.key("layers").begin_object();
    // Sharing by distinct manifest and repository (format version 2), over the rows with status ok.
    std::map<std::string, std::set<std::string>> manifests_of, repositories_of;
    for (const auto& image : images) {
        if (image.status != "ok") continue;
        for (const auto& digest : image.layers) {
            manifests_of[digest].insert(image.manifest_digest);
            repositories_of[digest].insert(image.repository);
        }
    }
    for (const auto& [digest, refs] : ref_counts)
        write_layer(json, *layers.at(digest), refs, static_cast<int64_t>(manifests_of[digest].size()),
                    static_cast<int64_t>(repositories_of[digest].size()));
    json.end_object();

    json.key("dedup").begin_object();
    json.member("file_count", file_count);
    json.member("file_bytes", file_bytes);
    json.member("unique_file_count", static_cast<int64_t>(contents.size()));
    json.member("unique_bytes", unique_bytes);
    json.key("copies").begin_object(Layout::inline_);
    for (const auto& [copies, count] : copies_histogram) json.member(std::to_string(copies), count);
    json.end_object();
    json.key("top").begin_array();
    for (const auto* entry : wasteful) {
        const ContentTotals& totals = entry->second;
        json.begin_object(Layout::inline_);
        json.member("hash", entry->first);
        json.member("size", totals.size);
        json.member("copies", totals.copies);
        json.member("layers", totals.layers);
        json.member("type", content_type_name(totals.kind));
        json.member("example_path", totals.example_path);
        json.end_object();
    }
    json.end_array();
    json.end_object();

    json.key("filetypes").begin_object();
    const auto names = all_file_type_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        json.key(names[i]).begin_object(Layout::inline_);
        json.member("file_count", types[i].file_count);
        json.member("file_bytes", types[i].file_bytes);
        json.member("unique_file_count", types[i].unique_file_count);
        json.member("unique_bytes", types[i].unique_bytes);
        json.end_object();
    }
    json.end_object();

    json.key("histograms").begin_object();
    json.key("directory_depth").begin_array(Layout::inline_);  // linear: element d = directories of depth d
    for (int64_t count : directory_depths) json.value(count);
    json.end_array();
    write_histogram(json, "directory_direct_bytes", directory_direct);
    write_histogram(json, "directory_recursive_bytes", directory_recursive);
    write_histogram(json, "file_size", file_sizes);
    write_histogram(json, "layer_compressed_bytes", layer_compressed);
    write_histogram(json, "layer_uncompressed_bytes", layer_uncompressed);
    write_histogram(json, "layer_file_count", layer_files);
    write_histogram(json, "layer_dir_count", layer_dirs);
    write_histogram(json, "layer_max_depth", layer_depth);
    write_histogram(json, "layer_ref_count", layer_refs);
    write_histogram(json, "image_compressed_bytes", image_compressed);
    write_histogram(json, "image_uncompressed_bytes", image_uncompressed);
    write_histogram(json, "image_layer_count", image_layers);
    write_histogram(json, "image_file_count", image_files);
    write_histogram(json, "dedup_copies", dedup_copies);
    json.end_object();
    json.end_object();

    std::ofstream out(file, std::ios::binary);
    out << json.str();
    if (!out.flush()) throw std::runtime_error("cannot write " + file.string());
    return summary;
}

}  // namespace regcensus::synth
