#include "environment_writer.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "regcensus/manifest/execution_environment.hpp"

namespace regcensus {
namespace {

constexpr const char* kSeconds = "seconds since 1970-01-01 UTC";

std::vector<std::string> strings_of(const std::vector<ImageRecord>& images,
                                    const std::function<std::string(const ImageRecord&)>& get) {
    std::vector<std::string> out;
    out.reserve(images.size());
    for (const auto& image : images) out.push_back(image.environment.known ? get(image) : std::string());
    return out;
}

std::vector<int64_t> ints_of(const std::vector<ImageRecord>& images,
                             const std::function<int64_t(const ImageRecord&)>& get) {
    std::vector<int64_t> out;
    out.reserve(images.size());
    for (const auto& image : images) out.push_back(image.environment.known ? get(image) : -1);
    return out;
}

// One /tables group: a key column, `count`, and optionally more key columns; rows by count, largest first.
void write_count_table(const h5::Location& tables, const std::string& name, const std::string& description,
                       const std::vector<std::string>& key_names,
                       const std::map<std::vector<std::string>, std::pair<int64_t, int64_t>>& counts,
                       const char* second_name = nullptr, const char* second_description = nullptr,
                       const char* second_units = "") {
    std::vector<std::pair<std::vector<std::string>, std::pair<int64_t, int64_t>>> rows(counts.begin(), counts.end());
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    auto g = tables.create_group(name);
    g.set_attribute("description", description);
    for (std::size_t k = 0; k < key_names.size(); ++k) {
        std::vector<std::string> column;
        for (const auto& row : rows) column.push_back(row.first[k]);
        g.write_strings(key_names[k], column, "The " + key_names[k] + " this row counts.");
    }
    std::vector<int64_t> count, second;
    for (const auto& row : rows) {
        count.push_back(row.second.first);
        second.push_back(row.second.second);
    }
    g.write_int64("count", count, description);
    if (second_name) g.write_int64(second_name, second, second_description, second_units);
}

}  // namespace

void write_image_environment(const h5::File& file, const CensusResults& r) {
    auto g = file.open_group("images");
    const auto& im = r.images;
    using E = ExecutionEnvironment;
    struct StringColumn {
        const char* name;
        std::string E::*field;
        const char* description;
    };
    static const StringColumn strings[] = {
        {"os", &E::os, "Config 'os' (schema 1: newest v1Compatibility)."},
        {"architecture", &E::architecture, "Config 'architecture' (schema 1: newest v1Compatibility)."},
        {"variant", &E::variant, "Config 'variant'."},
        {"user", &E::user, "Config User; empty when unset (the container runs as root)."},
        {"exposed_ports", &E::exposed_ports, "Keys of config ExposedPorts (e.g. 80/tcp), sorted, comma-separated."},
        {"entrypoint", &E::entrypoint, "Config Entrypoint as a compact JSON array; empty when unset or null."},
        {"cmd", &E::cmd, "Config Cmd as a compact JSON array; empty when unset or null."},
        {"workdir", &E::workdir, "Config WorkingDir; empty when unset."},
        {"docker_version", &E::docker_version, "Config docker_version; empty when unset."},
        {"author", &E::author, "Config author; empty when unset."},
    };
    for (const auto& c : strings)
        g.write_strings(c.name, strings_of(im, [&](const ImageRecord& i) { return i.environment.config.*(c.field); }),
                        std::string(c.description) + " Empty when the row has no config (failed, or nothing read).");
    g.write_strings("config_media_type", strings_of(im, [](const ImageRecord& i) { return i.environment.config_media_type; }),
                    "Media type of the manifest's config descriptor; empty for schema 1 (no config) or unknown.");

    struct IntColumn {
        const char* name;
        std::function<int64_t(const ImageEnvironment&)> get;
        const char* description;
        const char* units;
    };
    const IntColumn ints[] = {
        {"runs_as_root", [](const ImageEnvironment& e) { return int64_t(runs_as_root(e.config.user)); },
         "1 when the user part of User is empty, 'root' or '0' (also '0:0', 'root:root'), else 0.", ""},
        {"env_count", [](const ImageEnvironment& e) { return e.config.env_count; }, "Entries of config Env.", ""},
        {"label_count", [](const ImageEnvironment& e) { return e.config.label_count; }, "Entries of config Labels.", ""},
        {"history_count", [](const ImageEnvironment& e) { return e.history_count; },
         "Entries of the config's history (schema 1: v1Compatibility entries).", ""},
        {"empty_layer_count", [](const ImageEnvironment& e) { return e.empty_layer_count; },
         "History entries with empty_layer (schema 1: throwaway).", ""},
        {"config_bytes", [](const ImageEnvironment& e) { return e.config_bytes; },
         "Size of the config blob; -1 for schema 1 (no config).", "bytes"},
        {"manifest_bytes", [](const ImageEnvironment& e) { return e.manifest_bytes; },
         "Size of the image manifest analysed, as served.", "bytes"},
        {"history_mismatch", [](const ImageEnvironment& e) { return e.history_mismatch; },
         "1 when the history's non-empty entries do not pair one to one with the layers (then /image_layers "
         "holds -1 and empty strings for the image), 0 when they do.", ""},
    };
    for (const auto& c : ints)
        g.write_int64(c.name, ints_of(im, [&](const ImageRecord& i) { return c.get(i.environment); }),
                      std::string(c.description) + " -1 if unknown (the row has no config).", c.units);

    // The crawl's columns are known whatever the row's status.
    std::vector<int64_t> last_updated, is_official;
    std::vector<std::string> source, index_media_type;
    for (const auto& image : im) {
        last_updated.push_back(image.listing.last_updated);
        is_official.push_back(image.listing.is_official);
        source.push_back(image.listing.source);
        index_media_type.push_back(image.index_media_type);
    }
    g.write_int64("last_updated", last_updated,
                  "The image list's last_updated (the Hub's, from regcensus crawl) as Unix seconds; -1 if absent.",
                  kSeconds);
    g.write_int64("is_official", is_official, "The image list's is_official: 1 or 0; -1 if absent.");
    g.write_strings("source", source, "The image list's source: the listing that found the image; empty if absent.");
    g.write_strings("index_media_type", index_media_type,
                    "Media type of the index or manifest list the tag named; empty otherwise.");
}

void write_image_layers(const h5::File& file, const CensusResults& r) {
    const auto& offsets = r.plan.image_layer_offsets;
    const auto& rows = r.plan.image_layer_rows;
    std::vector<int64_t> image, position, created;
    std::vector<std::string> created_by;
    std::vector<int64_t> first_created(r.layers.size(), -1);
    for (std::size_t i = 0; i + 1 < offsets.size() && i < r.images.size(); ++i) {
        const auto& history = r.images[i].environment.layers;
        const auto begin = offsets[i], end = offsets[i + 1];
        for (auto k = begin; k < end; ++k) {
            const auto pos = std::size_t(k - begin);
            image.push_back(int64_t(i));
            position.push_back(int64_t(pos));
            const bool paired = pos < history.size() && std::size_t(end - begin) == history.size();
            created.push_back(paired ? history[pos].created : -1);
            created_by.push_back(paired ? history[pos].created_by : std::string());
            const auto layer = std::size_t(rows[std::size_t(k)]);
            if (created.back() >= 0 && layer < first_created.size() &&
                (first_created[layer] < 0 || created.back() < first_created[layer]))
                first_created[layer] = created.back();
        }
    }
    auto g = file.open_or_create_group("image_layers");
    g.set_attribute("description",
                    "One row per (image, layer position), in the order of the /images CSR (layer_rows).");
    // Shared keys with other writers of this table are written once.
    if (!g.has("image")) g.write_int64("image", image, "Row of /images.");
    if (!g.has("layer")) g.write_int64("layer", rows, "Row of /layers.");
    if (!g.has("position")) g.write_int64("position", position, "Position of the layer in the image, base = 0.");
    g.write_int64("created", created,
                  "History 'created' of the step that produced the layer (empty_layer steps skipped when pairing); "
                  "-1 if absent or the image's history_mismatch is 1.",
                  kSeconds);
    g.write_strings("created_by", created_by,
                    "History 'created_by' of that step (schema 1: container_config.Cmd joined by spaces); empty "
                    "if absent or the image's history_mismatch is 1.");
    file.open_group("layers").write_int64(
        "history_created", first_created,
        "Layer's first appearance: smallest /image_layers created over the images listing it; -1 if none known.",
        kSeconds);
}

void write_dataset_tables(const h5::File& file, const CensusResults& r) {
    auto tables = file.create_group("tables");
    tables.set_attribute("description",
                         "Dataset tables: counts by status and media type (docs/execution-environment.md).");
    using Counts = std::map<std::vector<std::string>, std::pair<int64_t, int64_t>>;
    Counts images_by_status, layers_by_status, layers_by_type, manifests, configs;
    std::set<std::string> seen_manifests, seen_configs;
    for (const auto& image : r.images) {
        ++images_by_status[{image.status}].first;
        if (!image.manifest_digest.empty() && seen_manifests.insert(image.manifest_digest).second)
            ++manifests[{image.media_type}].first;
        if (!image.index_digest.empty() && seen_manifests.insert(image.index_digest).second)
            ++manifests[{image.index_media_type}].first;
        // One config per image manifest: distinct manifests count distinct configs.
        if (image.environment.known && !image.environment.config_media_type.empty() &&
            seen_configs.insert(image.manifest_digest).second) {
            auto& c = configs[{image.environment.config_media_type}];
            ++c.first;
            c.second += std::max<int64_t>(image.environment.config_bytes, 0);
        }
    }
    for (const auto& layer : r.layers) {
        ++layers_by_status[{layer.status}].first;
        auto& t = layers_by_type[{layer.compression, layer.media_type}];
        ++t.first;
        t.second += std::max<int64_t>(layer.compressed_bytes, 0);
    }
    write_count_table(tables, "images_by_status", "Rows of /images with this status.", {"status"}, images_by_status);
    write_count_table(tables, "layers_by_status", "Rows of /layers (distinct layers) with this status.", {"status"},
                      layers_by_status);
    write_count_table(tables, "manifests_by_media_type",
                      "Distinct manifest digests (analysed image manifests and the indexes or lists tags named) "
                      "with this media type.",
                      {"media_type"}, manifests);
    write_count_table(tables, "layers_by_compression",
                      "Distinct layers with this detected compression and manifest media type.",
                      {"compression", "media_type"}, layers_by_type, "compressed_bytes",
                      "Sum of the compressed sizes of those layers.", "bytes");
    write_count_table(tables, "configs_by_media_type",
                      "Distinct image configs (one per distinct image manifest read) with this media type.",
                      {"media_type"}, configs, "config_bytes", "Sum of the sizes of those configs.", "bytes");
}

}  // namespace regcensus
