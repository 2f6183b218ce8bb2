#pragma once
// Image configs, image manifests and indexes of the corpus, as JSON blobs in
// the layout. Configs carry correct diff_ids (sha256 of each uncompressed
// layer tar) and an RFC 3339 `created`.
#include <string>
#include <vector>

#include "regcensus/synth/blob_store.hpp"
#include "regcensus/synth/corpus_plan.hpp"
#include "regcensus/synth/layer_writer.hpp"

namespace regcensus::synth {

struct WrittenManifest {
    BlobRef blob;
    std::string media_type;
    std::string platform;  // "linux/amd64", "linux/arm64/v8"
};

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
