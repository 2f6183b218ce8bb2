#include "image_writer.hpp"

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/util/json_writer.hpp"
#include "regcensus/synth/timestamp.hpp"

namespace regcensus::synth {

namespace {

std::string platform_string(const PlatformPlan& platform) {
    std::string out = platform.os + "/" + platform.architecture;
    if (!platform.variant.empty()) out += "/" + platform.variant;
    return out;
}

void write_descriptor(JsonWriter& json, std::string_view media_type, const BlobRef& blob) {
    json.begin_object();
    json.member("mediaType", media_type);
    json.member("size", blob.size);
    json.member("digest", blob.digest);
    json.end_object();
}

std::string config_json(const PlatformPlan& platform, const std::vector<const LayerRecord*>& layers,
                        const std::string& repository) {
    const ConfigPlan& plan = platform.config;
    const std::string created = format_rfc3339(platform.created, platform.created_nanos);
    JsonWriter json;
    json.begin_object();
    json.member("architecture", platform.architecture);
    if (!platform.variant.empty()) json.member("variant", platform.variant);
    if (!plan.author.empty()) json.member("author", plan.author);
    json.key("config").begin_object();
    if (!plan.user.empty()) json.member("User", plan.user);
    if (!plan.ports.empty()) {
        json.key("ExposedPorts").begin_object();
        for (const auto& port : plan.ports) json.key(port).begin_object().end_object();
        json.end_object();
    }
    json.key("Env").begin_array();
    json.value("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    json.value("LANG=C.UTF-8");
    json.end_array();
    if (!plan.entrypoint.empty()) {
        json.key("Entrypoint").begin_array();
        for (const auto& word : plan.entrypoint) json.value(word);
        json.end_array();
    } else {
        json.key("Entrypoint").null();  // Docker writes null for "no entrypoint"
    }
    json.key("Cmd").begin_array().value("/app/bin/run").end_array();
    json.member("WorkingDir", "/app");
    json.key("Labels").begin_object();
    json.member("org.opencontainers.image.source", "https://example.invalid/" + repository);
    for (int k = 1; k < plan.label_count; ++k) json.member("synth.label." + std::to_string(k), std::to_string(k));
    json.end_object();
    json.end_object();
    json.member("created", created);
    if (!plan.docker_version.empty()) json.member("docker_version", plan.docker_version);
    json.key("history").begin_array();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        json.begin_object();
        json.member("created", format_rfc3339(layer_history_created(platform, layers.size(), i)));
        json.member("created_by", layers[i]->created_by);
        json.end_object();
        if (i == 0) {
            // Metadata-only steps leave history without a layer, as real builds do.
            json.begin_object();
            json.member("created", created);
            json.member("created_by", "/bin/sh -c #(nop)  ENV LANG=C.UTF-8");
            json.member("empty_layer", true);
            json.end_object();
        }
    }
    for (const auto& step : empty_history_steps(plan)) {
        json.begin_object();
        json.member("created", created);
        json.member("created_by", step);
        json.member("empty_layer", true);
        json.end_object();
    }
    if (plan.extra_history_step) {
        // A step that claims a layer the manifest does not have (a squashed or hand-edited config).
        json.begin_object();
        json.member("created", created);
        json.member("created_by", "/bin/sh -c rm -rf /tmp/build");
        json.end_object();
    }
    json.end_array();
    json.member("os", platform.os);
    json.key("rootfs").begin_object();
    json.member("type", "layers");
    json.key("diff_ids").begin_array();
    for (const auto* layer : layers) json.value(layer->diff_id);
    json.end_array();
    json.end_object();
    json.end_object();
    return json.take();
}

}  // namespace

int64_t layer_history_created(const PlatformPlan& platform, std::size_t layer_count, std::size_t position) {
    return platform.created - int64_t(layer_count - 1 - position) * platform.config.layer_interval;
}

std::vector<std::string> empty_history_steps(const ConfigPlan& config) {
    std::vector<std::string> steps;
    if (!config.ports.empty()) steps.push_back("/bin/sh -c #(nop)  EXPOSE " + config.ports.front());
    if (!config.entrypoint.empty()) steps.push_back("/bin/sh -c #(nop)  ENTRYPOINT [\"" + config.entrypoint.front() + "\"]");
    return steps;
}

WrittenManifest write_image_manifest(BlobStore& store, const PlatformPlan& platform, ManifestFormat format,
                                     const std::vector<const LayerRecord*>& layers, const std::string& repository) {
    const bool docker = format == ManifestFormat::docker;
    const BlobRef config = store.put(config_json(platform, layers, repository));
    JsonWriter json;
    json.begin_object();
    json.member("schemaVersion", 2);
    json.member("mediaType", docker ? media_type::docker_manifest_v2 : media_type::oci_manifest);
    json.key("config");
    write_descriptor(json, docker ? media_type::docker_config : media_type::oci_config, config);
    json.key("layers").begin_array();
    for (const auto* layer : layers) write_descriptor(json, layer->media_type, BlobRef{layer->digest, layer->compressed_bytes});
    json.end_array();
    if (!docker) {
        json.key("annotations").begin_object();
        json.member("org.opencontainers.image.created", format_rfc3339(platform.created));
        json.end_object();
    }
    json.end_object();
    WrittenManifest written;
    written.blob = store.put(json.str());
    written.media_type = docker ? media_type::docker_manifest_v2 : media_type::oci_manifest;
    written.platform = platform_string(platform);
    written.config = config;
    return written;
}

WrittenManifest write_index(BlobStore& store, IndexFormat format, const std::vector<IndexChild>& children) {
    const std::string_view type = format == IndexFormat::oci_index ? media_type::oci_index : media_type::docker_manifest_list;
    JsonWriter json;
    json.begin_object();
    json.member("schemaVersion", 2);
    json.member("mediaType", type);
    json.key("manifests").begin_array();
    for (const auto& child : children) {
        json.begin_object();
        json.member("mediaType", child.manifest.media_type);
        json.member("size", child.manifest.blob.size);
        json.member("digest", child.manifest.blob.digest);
        json.key("platform").begin_object();
        json.member("architecture", child.platform->architecture);
        json.member("os", child.platform->os);
        if (!child.platform->variant.empty()) json.member("variant", child.platform->variant);
        json.end_object();
        json.end_object();
    }
    json.end_array();
    json.end_object();
    WrittenManifest written;
    written.blob = store.put(json.str());
    written.media_type = type;
    return written;
}

}  // namespace regcensus::synth
