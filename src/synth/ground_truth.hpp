#pragma once
// groundtruth.json: what `regcensus run` must find in the corpus, computed
// from what the generator wrote (its entries and contents), never by reading
// the blobs back. Schema and definitions: docs/synth.md.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "layer_writer.hpp"

namespace regcensus::synth {

// One row of the image list (comments and blank lines are not rows).
struct ImageTruth {
    std::string reference;
    std::string repository;
    std::string tag;
    std::string status;           // "ok" or "manifest_unknown"
    std::string manifest_digest;  // the analysed (platform) manifest
    std::string index_digest;     // the index the tag named, or ""
    std::string media_type;       // of the analysed manifest
    std::string platform;
    int64_t created = -1;
    std::vector<std::string> layers;  // digests, base first
    int64_t pull_count = -1;
    int64_t star_count = -1;
    // The execution environment and build history (docs/synth.md); written for ok rows only.
    struct Environment {
        std::string os, architecture, variant, user, exposed_ports, entrypoint, cmd, workdir, docker_version,
            author, config_media_type;
        int64_t runs_as_root = -1, env_count = -1, label_count = -1, history_count = -1, empty_layer_count = -1,
                config_bytes = -1, manifest_bytes = -1, history_mismatch = -1;
        std::vector<int64_t> layer_created;          // per layer, base first (-1 when mismatched)
        std::vector<std::string> layer_created_by;   // likewise ("" when mismatched)
    };
    Environment environment;
};

struct GroundTruthSummary {
    int64_t analysed_layers = 0;
    int64_t files = 0;
    int64_t uncompressed_bytes = 0;
    int64_t compressed_bytes = 0;
};

// `layers` holds every layer written (by digest); only those listed by an
// image row with status ok are analysed and described.
GroundTruthSummary write_ground_truth(const std::filesystem::path& file, uint64_t seed,
                                      const std::vector<ImageTruth>& images,
                                      const std::map<std::string, const LayerRecord*>& layers,
                                      std::size_t top_limit = 1000);

}  // namespace regcensus::synth
