#pragma once
// What a layer of the corpus is made of, before it is written. A recipe is a
// name (unique in the corpus, and the seed of its random stream), a kind and
// a flavour; building it gives the tar entries in order. The same recipe
// always builds the same entries.
#include <cstdint>
#include <string>
#include <vector>

#include "compression.hpp"
#include "content_pool.hpp"
#include "regcensus/synth/layer_tree.hpp"

namespace regcensus::synth {

enum class LayerKind {
    distro,       // a base image's root filesystem (flavour: which distro)
    python,       // shared runtime layers, used by several images
    node,
    jvm,
    perl_tools,
    web_assets,
    empty,        // a layer with no entry at all (end blocks only)
    app,          // an image's own application files
    dependencies, // an image's own vendored packages
    cleanup,      // an image's own whiteouts, opaque directories and config edits
    edge_cases,   // tar corner cases: duplicate path, long paths, PAX, old type flags
    union_setup,    // files and directories the next layer changes (shared by the images that stack it)
    union_changes,  // an image's own overwrites, replacements, whiteouts and opaque markers
};

enum class Distro { debian, ubuntu, alpine, alpine_arm64, debian_arm64 };

struct LayerRecipe {
    std::string name;  // e.g. "base/debian", "app-003/app-1"
    LayerKind kind = LayerKind::empty;
    Distro distro = Distro::debian;  // for LayerKind::distro
    Compression compression = Compression::gzip;
    std::string media_type;
    std::string created_by;          // the config's history line
};

struct BuildContext {
    uint64_t corpus_seed;
    const ContentPool& pool;
};

std::vector<LayerEntry> build_layer_entries(const LayerRecipe& recipe, const BuildContext& context);

// The recipes of each kind (one file each).
std::vector<LayerEntry> build_distro_layer(Distro distro, Random& random, const ContentPool& pool);
std::vector<LayerEntry> build_runtime_layer(LayerKind kind, Random& random, const ContentPool& pool);
std::vector<LayerEntry> build_image_layer(LayerKind kind, Random& random, const ContentPool& pool);
std::vector<LayerEntry> build_union_layer(LayerKind kind, Random& random);

}  // namespace regcensus::synth
