#include "layer_recipe.hpp"

namespace regcensus::synth {

std::vector<LayerEntry> build_layer_entries(const LayerRecipe& recipe, const BuildContext& context) {
    Random random(derive_seed(context.corpus_seed, "layer/" + recipe.name));
    switch (recipe.kind) {
        case LayerKind::distro: return build_distro_layer(recipe.distro, random, context.pool);
        case LayerKind::python:
        case LayerKind::node:
        case LayerKind::jvm:
        case LayerKind::perl_tools:
        case LayerKind::web_assets: return build_runtime_layer(recipe.kind, random, context.pool);
        case LayerKind::empty: return {};
        case LayerKind::app:
        case LayerKind::dependencies:
        case LayerKind::cleanup:
        case LayerKind::edge_cases: return build_image_layer(recipe.kind, random, context.pool);
        case LayerKind::union_setup:
        case LayerKind::union_changes: return build_union_layer(recipe.kind, random);
    }
    return {};
}

}  // namespace regcensus::synth
