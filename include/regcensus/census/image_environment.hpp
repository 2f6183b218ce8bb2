#pragma once
// The execution environment and build history of one /images row, as the plan
// phase resolves it: the config's environment (or the schema 1 one), the sizes
// of the manifest and config, and one history step per layer. Rows /images and
// /image_layers are written from it (results/environment_writer.cpp).
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/manifest/execution_environment.hpp"
#include "regcensus/util/binary_codec.hpp"

namespace regcensus {

// The history step that produced one layer of an image.
struct LayerHistory {
    int64_t created = -1;  // Unix seconds
    std::string created_by;
};

struct ImageEnvironment {
    bool known = false;  // false: the row failed before its config (or schema 1 manifest) was read
    ExecutionEnvironment config;
    int64_t history_count = -1, empty_layer_count = -1;
    std::string config_media_type;  // of the config descriptor; empty for schema 1
    int64_t config_bytes = -1;      // size of the config blob; -1 for schema 1 (no config)
    int64_t manifest_bytes = -1;    // size of the image manifest as served
    int64_t history_mismatch = -1;  // 1 when the history's non-empty steps do not pair with the layers
    std::vector<LayerHistory> layers;  // one per manifest layer, base first (-1 / "" when mismatched)
};

// Pairs the history's non-empty steps with `layer_count` layers, base first
// (steps marked empty_layer are skipped). Fills history_count,
// empty_layer_count, history_mismatch and layers; the history itself is dropped.
void pair_history(ImageEnvironment& environment, std::size_t layer_count);

void encode(ByteWriter& out, const ImageEnvironment& environment);
ImageEnvironment decode_image_environment(ByteReader& in);

}  // namespace regcensus
