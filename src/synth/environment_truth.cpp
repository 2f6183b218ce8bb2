#include "environment_truth.hpp"

#include <algorithm>

#include "regcensus/manifest/manifest.hpp"

namespace regcensus::synth {

ImageTruth::Environment environment_truth(const ImagePlan& image, const WrittenManifest& written,
                                          const std::vector<const LayerRecord*>& layers) {
    const PlatformPlan& platform = image.amd64;
    const ConfigPlan& plan = platform.config;
    ImageTruth::Environment e;
    e.os = platform.os;
    e.architecture = platform.architecture;
    e.variant = platform.variant;
    e.user = plan.user;
    e.runs_as_root = plan.runs_as_root ? 1 : 0;
    auto ports = plan.ports;
    std::sort(ports.begin(), ports.end());
    for (const auto& port : ports) e.exposed_ports += (e.exposed_ports.empty() ? "" : ",") + port;
    if (!plan.entrypoint.empty()) {
        for (const auto& word : plan.entrypoint) e.entrypoint += (e.entrypoint.empty() ? "[\"" : ",\"") + word + "\"";
        e.entrypoint += "]";
    }
    e.cmd = "[\"/app/bin/run\"]";
    e.workdir = "/app";
    e.docker_version = plan.docker_version;
    e.author = plan.author;
    e.config_media_type = image.format == ManifestFormat::docker ? media_type::docker_config : media_type::oci_config;
    e.env_count = 2;
    e.label_count = plan.label_count;
    const auto empty_steps = int64_t(1 + empty_history_steps(plan).size());  // the ENV step, then the others
    e.empty_layer_count = empty_steps;
    e.history_count = int64_t(layers.size()) + empty_steps + (plan.extra_history_step ? 1 : 0);
    e.history_mismatch = plan.extra_history_step ? 1 : 0;
    e.config_bytes = written.config.size;
    e.manifest_bytes = written.blob.size;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        e.layer_created.push_back(plan.extra_history_step ? -1 : layer_history_created(platform, layers.size(), i));
        e.layer_created_by.push_back(plan.extra_history_step ? "" : layers[i]->created_by);
    }
    return e;
}

}  // namespace regcensus::synth
