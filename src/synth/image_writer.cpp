#include "regcensus/synth/image_writer.hpp"

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
    const std::string created = format_rfc3339(platform.created, platform.created_nanos);
    JsonWriter json;
    json.begin_object();
    json.member("architecture", platform.architecture);
    if (!platform.variant.empty()) json.member("variant", platform.variant);
    json.key("config").begin_object();
    json.key("Env").begin_array();
    json.value("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    json.value("LANG=C.UTF-8");
    json.end_array();
    json.key("Cmd").begin_array().value("/app/bin/run").end_array();
    json.member("WorkingDir", "/app");
    json.key("Labels").begin_object().member("org.opencontainers.image.source", "https://example.invalid/" + repository).end_object();
    json.end_object();
    json.member("created", created);
    json.key("history").begin_array();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        json.begin_object();
        json.member("created", created);
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
