#pragma once
// The shape of the corpus for a seed and an image count: which images exist,
// their manifest formats, which layers (by recipe) each platform stacks, and
// their popularity. Pure planning: nothing is generated or written here.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "layer_recipe.hpp"

namespace regcensus::synth {

enum class ManifestFormat { docker, oci };
enum class IndexFormat { none, oci_index, docker_manifest_list };

// The runtime part of an image's config and the shape of its history
// (docs/synth.md, "Execution environment"); shared by an image's platforms.
struct ConfigPlan {
    std::string user;                      // "" = unset
    bool runs_as_root = true;              // what the user means, stated here, not derived
    std::vector<std::string> ports;        // ExposedPorts keys, in the order written (not sorted)
    std::vector<std::string> entrypoint;   // empty = no Entrypoint
    int label_count = 1;
    std::string docker_version, author;    // "" = not written
    bool extra_history_step = false;       // one more non-empty history step than layers: no pairing
    int64_t layer_interval = 0;            // seconds between the history steps of consecutive layers
};

struct PlatformPlan {
    std::string os = "linux";
    std::string architecture = "amd64";
    std::string variant;
    std::vector<LayerRecipe> layers;  // base first
    int64_t created = 0;              // Unix seconds
    int64_t created_nanos = 0;        // > 0: the config's timestamp has a fraction
    ConfigPlan config;
};

struct ImagePlan {
    std::string repository;         // "synth/app-003"
    std::vector<std::string> tags;  // the first is the image's own; others name the same manifest
    ManifestFormat format = ManifestFormat::docker;
    IndexFormat index = IndexFormat::none;
    PlatformPlan amd64;
    std::optional<PlatformPlan> arm64;  // only with an index
    int64_t pull_count = 0;
    int64_t star_count = 0;
};

struct CorpusPlan {
    std::vector<ImagePlan> images;
    // Never pushed: its ground-truth status is manifest_unknown.
    std::string missing_repository = "synth/missing";
    std::string missing_tag = "latest";
    // Where the missing reference, a comment and a blank line go in images.txt:
    // before the image of this index.
    std::size_t list_break_before = 0;
};

CorpusPlan plan_corpus(uint64_t seed, int image_count);

}  // namespace regcensus::synth
