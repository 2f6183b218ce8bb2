#include "regcensus/synth/corpus.hpp"

#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>

#include "regcensus/manifest/manifest.hpp"
#include "blob_store.hpp"
#include "corpus_plan.hpp"
#include "ground_truth.hpp"
#include "environment_truth.hpp"
#include "image_writer.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus::synth {

namespace fs = std::filesystem;

namespace {

// Writes each layer recipe once, however many images stack it.
class LayerCatalog {
public:
    LayerCatalog(BlobStore& store, const BuildContext& context) : store_(store), context_(context) {}

    const LayerRecord& get(const LayerRecipe& recipe) {
        if (auto it = by_name_.find(recipe.name); it != by_name_.end()) return *it->second;
        const auto entries = build_layer_entries(recipe, context_);
        // A fixed mtime per recipe: shared layers are the same bytes whoever stacks them first.
        const int64_t mtime = 1420070400 + static_cast<int64_t>(derive_seed(context_.corpus_seed, "mtime/" + recipe.name) %
                                                                 (5ULL * 365 * 86400));
        auto record = std::make_unique<LayerRecord>(
            write_layer(store_, entries, recipe.compression, recipe.media_type, mtime));
        record->name = recipe.name;
        record->created_by = recipe.created_by;
        const LayerRecord& stored = *record;
        if (by_digest_.contains(stored.digest))
            throw std::logic_error("synth: recipes " + recipe.name + " and " + by_digest_.at(stored.digest)->name +
                                   " gave the same layer");
        by_digest_.emplace(stored.digest, &stored);
        by_name_.emplace(recipe.name, std::move(record));
        return stored;
    }

    std::vector<const LayerRecord*> get_all(const std::vector<LayerRecipe>& recipes) {
        std::vector<const LayerRecord*> out;
        for (const auto& recipe : recipes) out.push_back(&get(recipe));
        return out;
    }

    const std::map<std::string, const LayerRecord*>& by_digest() const { return by_digest_; }

private:
    BlobStore& store_;
    const BuildContext& context_;
    std::map<std::string, std::unique_ptr<LayerRecord>> by_name_;
    std::map<std::string, const LayerRecord*> by_digest_;
};

std::vector<std::string> digests_of(const std::vector<const LayerRecord*>& layers) {
    std::vector<std::string> out;
    for (const auto* layer : layers) out.push_back(layer->digest);
    return out;
}

void prepare_output(const SynthOptions& options) {
    const fs::path layout = options.out_dir / "layout";
    if (fs::exists(layout) || fs::exists(options.out_dir / "groundtruth.json")) {
        if (!options.force)
            throw std::runtime_error(options.out_dir.string() + " already holds a corpus (use --force to replace it)");
        fs::remove_all(layout);
        fs::remove(options.out_dir / "images.txt");
        fs::remove(options.out_dir / "groundtruth.json");
    }
    fs::create_directories(layout);
}

void write_text_file(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path.string());
}

struct IndexJsonEntry {
    std::string reference;
    std::string media_type;
    BlobRef blob;
};

std::string index_json(const std::vector<IndexJsonEntry>& entries) {
    JsonWriter json(true);
    json.begin_object();
    json.member("schemaVersion", 2);
    json.member("mediaType", media_type::oci_index);
    json.key("manifests").begin_array();
    for (const auto& entry : entries) {
        json.begin_object();
        json.member("mediaType", entry.media_type);
        json.member("digest", entry.blob.digest);
        json.member("size", entry.blob.size);
        json.key("annotations").begin_object();
        json.member("org.opencontainers.image.ref.name", entry.reference);
        json.end_object();
        json.end_object();
    }
    json.end_array();
    json.end_object();
    return json.take();
}

}  // namespace

SynthSummary generate_corpus(const SynthOptions& options) {
    if (options.images < 1) throw std::invalid_argument("--images must be at least 1");
    if (!(options.scale > 0.0) || options.scale > 1000.0) throw std::invalid_argument("--scale must be in (0, 1000]");
    prepare_output(options);

    const CorpusPlan plan = plan_corpus(options.seed, options.images);
    const ContentPool pool(options.seed, Scale(options.scale));
    const BuildContext context{options.seed, pool};
    SynthSummary summary;
    std::vector<ImageTruth> truths;
    std::vector<IndexJsonEntry> index_entries;
    std::string list = "#reference\tpull_count\tstar_count\n";
    {
        BlobStore store(options.out_dir / "layout");
        LayerCatalog catalog(store, context);

        for (std::size_t i = 0; i < plan.images.size(); ++i) {
            if (i == plan.list_break_before) {
                // What the list format allows besides images: a comment, a blank line,
                // and here a reference that was never pushed.
                list += "# the next reference is never pushed: its status must be manifest_unknown\n\n";
                const std::string missing = plan.missing_repository + ":" + plan.missing_tag;
                list += missing + "\t-1\t-1\n";
                ImageTruth truth;
                truth.reference = missing;
                truth.repository = plan.missing_repository;
                truth.tag = plan.missing_tag;
                truth.status = "manifest_unknown";
                truths.push_back(std::move(truth));
            }
            const ImagePlan& image = plan.images[i];
            const auto amd64_layers = catalog.get_all(image.amd64.layers);
            const WrittenManifest amd64 =
                write_image_manifest(store, image.amd64, image.format, amd64_layers, image.repository);
            WrittenManifest tagged = amd64;
            if (image.index != IndexFormat::none) {
                const auto arm64_layers = catalog.get_all(image.arm64->layers);
                const WrittenManifest arm64 =
                    write_image_manifest(store, *image.arm64, image.format, arm64_layers, image.repository);
                // arm64 first: a client must select the platform, not take the first entry.
                tagged = write_index(store, image.index, {{arm64, &*image.arm64}, {amd64, &image.amd64}});
            }
            ++summary.images;
            for (const auto& tag : image.tags) {
                const std::string reference = image.repository + ":" + tag;
                index_entries.push_back({reference, tagged.media_type, tagged.blob});
                list += reference + "\t" + std::to_string(image.pull_count) + "\t" + std::to_string(image.star_count) + "\n";
                ImageTruth truth;
                truth.reference = reference;
                truth.repository = image.repository;
                truth.tag = tag;
                truth.status = "ok";
                truth.manifest_digest = amd64.blob.digest;
                truth.index_digest = image.index != IndexFormat::none ? tagged.blob.digest : "";
                truth.media_type = amd64.media_type;
                truth.platform = amd64.platform;
                truth.created = image.amd64.created;
                truth.layers = digests_of(amd64_layers);
                truth.pull_count = image.pull_count;
                truth.star_count = image.star_count;
                truth.environment = environment_truth(image, amd64, amd64_layers);
                truths.push_back(std::move(truth));
            }
        }
        summary.layers_written = static_cast<int64_t>(catalog.by_digest().size());

        write_text_file(options.out_dir / "layout" / "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
        write_text_file(options.out_dir / "layout" / "index.json", index_json(index_entries));
        write_text_file(options.out_dir / "images.txt", list);
        const GroundTruthSummary truth_summary =
            write_ground_truth(options.out_dir / "groundtruth.json", options.seed, truths, catalog.by_digest());
        summary.layers_analysed = truth_summary.analysed_layers;
        summary.files_analysed = truth_summary.files;
        summary.compressed_bytes = truth_summary.compressed_bytes;
        summary.uncompressed_bytes = truth_summary.uncompressed_bytes;
    }
    summary.references = static_cast<int64_t>(truths.size());
    return summary;
}

}  // namespace regcensus::synth
