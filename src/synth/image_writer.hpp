#pragma once
// Image configs, image manifests and indexes of the corpus, as JSON blobs in
// the layout. Configs carry correct diff_ids (sha256 of each uncompressed
// layer tar) and an RFC 3339 `created`.
#include <string>
#include <vector>

#include "blob_store.hpp"
#include "corpus_plan.hpp"
#include "layer_writer.hpp"

namespace regcensus::synth {

struct WrittenManifest {
    BlobRef blob;
    std::string media_type;
    std::string platform;  // "linux/amd64", "linux/arm64/v8"
    BlobRef config;        // the config blob of an image manifest
};

// The history `created` of the layer at `position` (base = 0): the image's
// created for its top layer, `layer_interval` seconds earlier per layer below.
int64_t layer_history_created(const PlatformPlan& platform, std::size_t layer_count, std::size_t position);

// The empty_layer history steps an image has besides the ENV step after its base layer.
std::vector<std::string> empty_history_steps(const ConfigPlan& config);

// Writes the config and the image manifest of one platform of an image.
WrittenManifest write_image_manifest(BlobStore& store, const PlatformPlan& platform, ManifestFormat format,
                                     const std::vector<const LayerRecord*>& layers, const std::string& repository);

struct IndexChild {
    WrittenManifest manifest;
    const PlatformPlan* platform;
};

// Writes an OCI index or Docker manifest list over `children`.
WrittenManifest write_index(BlobStore& store, IndexFormat format, const std::vector<IndexChild>& children);

}  // namespace regcensus::synth
