#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/manifest/rfc3339.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"

namespace regcensus {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

[[noreturn]] void invalid(const std::string& message) { throw DataError("manifest_invalid", message); }

// The one check of a digest a manifest states: absent is a malformed manifest;
// present, it must be a registered algorithm with its exact encoding, since it
// will name files and requests (DataError "invalid_digest" otherwise).
std::string checked_digest(std::string digest, const std::string& where) {
    if (digest.empty()) invalid(where + " has no digest");
    Digest::parse_or_throw(digest, where);
    return digest;
}

std::string optional_string(element value, std::string_view key) {
    std::string_view text;
    if (value[key].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    return {};
}

Descriptor parse_descriptor(element value, std::string_view where) {
    if (!value.is_object()) invalid(std::string(where) + " is not an object");
    Descriptor descriptor;
    descriptor.media_type = optional_string(value, "mediaType");
    descriptor.digest = checked_digest(optional_string(value, "digest"), std::string(where));
    int64_t size = -1;
    if (value["size"].get_int64().get(size) != simdjson::SUCCESS || size < 0)
        invalid(std::string(where) + " (" + descriptor.digest + ") has no valid size");
    descriptor.size = size;
    array urls;
    if (value["urls"].get_array().get(urls) == simdjson::SUCCESS) {
        for (element url : urls) {
            std::string_view text;
            if (url.get_string().get(text) != simdjson::SUCCESS) invalid(std::string(where) + " has a non-string url");
            descriptor.urls.emplace_back(text);
        }
    }
    element platform;
    if (value["platform"].get(platform) == simdjson::SUCCESS) {
        if (!platform.is_object()) invalid(std::string(where) + " has a platform that is not an object");
        descriptor.platform.os = optional_string(platform, "os");
        descriptor.platform.architecture = optional_string(platform, "architecture");
        descriptor.platform.variant = optional_string(platform, "variant");
    }
    return descriptor;
}

std::vector<Descriptor> parse_descriptor_array(element root, std::string_view key, bool required) {
    std::vector<Descriptor> descriptors;
    element value;
    if (root[key].get(value) != simdjson::SUCCESS) {
        if (required) invalid("manifest has no '" + std::string(key) + "'");
        return descriptors;
    }
    array entries;
    if (value.get_array().get(entries) != simdjson::SUCCESS) {
        if (value.is_null() && !required) return descriptors;
        invalid("'" + std::string(key) + "' is not an array");
    }
    size_t position = 0;
    for (element entry : entries)
        descriptors.push_back(parse_descriptor(entry, std::string(key) + "[" + std::to_string(position++) + "]"));
    return descriptors;
}

// "application/vnd.oci.image.index.v1+json; charset=utf-8" -> the type alone.
std::string_view bare_media_type(std::string_view content_type) {
    content_type = content_type.substr(0, content_type.find(';'));
    while (!content_type.empty() && content_type.back() == ' ') content_type.remove_suffix(1);
    return content_type;
}

bool is_known_manifest_type(std::string_view type) {
    static constexpr std::array known = {media_type::docker_manifest_v2, media_type::docker_manifest_list,
                                         media_type::docker_manifest_v1, media_type::docker_manifest_v1_signed,
                                         media_type::oci_manifest, media_type::oci_index};
    return std::find(known.begin(), known.end(), type) != known.end();
}

Manifest parse_schema1(element root, std::string_view content_type) {
    Manifest manifest;
    manifest.kind = ManifestKind::image;
    manifest.schema_version = 1;
    const bool is_signed = root["signatures"].error() == simdjson::SUCCESS ||
                           bare_media_type(content_type) == media_type::docker_manifest_v1_signed;
    manifest.media_type = is_signed ? media_type::docker_manifest_v1_signed : media_type::docker_manifest_v1;
    array fs_layers;
    if (root["fsLayers"].get_array().get(fs_layers) != simdjson::SUCCESS) invalid("schema 1 manifest has no fsLayers");
    // history[i] describes fsLayers[i]; both newest first.
    std::vector<std::string> v1_compatibility;
    if (array history; root["history"].get_array().get(history) == simdjson::SUCCESS) {
        for (element entry : history) v1_compatibility.push_back(optional_string(entry, "v1Compatibility"));
    }
    simdjson::dom::parser v1_parser;
    size_t position = 0;
    for (element entry : fs_layers) {
        Descriptor layer;
        layer.digest = checked_digest(optional_string(entry, "blobSum"),
                                      "fsLayers[" + std::to_string(position) + "] blobSum");
        layer.size = -1;  // schema 1 does not record sizes
        element v1;
        const bool described = position < v1_compatibility.size() && !v1_compatibility[position].empty() &&
                               v1_parser.parse(simdjson::padded_string(v1_compatibility[position])).get(v1) ==
                                   simdjson::SUCCESS;
        if (described && position == 0) {
            manifest.schema1_created = parse_rfc3339_seconds(optional_string(v1, "created"));
            manifest.schema1_platform.os = optional_string(v1, "os");
            manifest.schema1_platform.architecture = optional_string(v1, "architecture");
        }
        // A `throwaway` entry is a history step without filesystem content (ENV,
        // CMD, ...): its blobSum is the empty tar. It is not a layer, as in the
        // schema 2 conversion of the same image, which lists no layer for it.
        bool throwaway = false;
        if (described && v1["throwaway"].get_bool().get(throwaway) != simdjson::SUCCESS) throwaway = false;
        if (!throwaway) manifest.layers.push_back(std::move(layer));
        ++position;
    }
    // Schema 1 lists the newest layer first; the census keeps the base first.
    std::reverse(manifest.layers.begin(), manifest.layers.end());
    return manifest;
}

}  // namespace

Manifest parse_manifest(std::string_view bytes, std::string_view content_type) {
    simdjson::dom::parser parser;
    element root;
    if (auto error = parser.parse(simdjson::padded_string(bytes)).get(root); error != simdjson::SUCCESS)
        invalid(std::string("manifest is not JSON: ") + simdjson::error_message(error));
    if (!root.is_object()) invalid("manifest is not a JSON object");

    int64_t schema_version = 2;
    if (element version; root["schemaVersion"].get(version) == simdjson::SUCCESS) {
        if (version.get_int64().get(schema_version) != simdjson::SUCCESS) invalid("schemaVersion is not an integer");
    }
    if (schema_version == 1) return parse_schema1(root, content_type);
    if (schema_version != 2) invalid("unsupported schemaVersion " + std::to_string(schema_version));

    Manifest manifest;
    manifest.schema_version = 2;
    manifest.media_type = optional_string(root, "mediaType");
    if (manifest.media_type.empty()) {
        const std::string_view served = bare_media_type(content_type);
        if (is_known_manifest_type(served))
            manifest.media_type = served;
        else if (root["manifests"].error() == simdjson::SUCCESS)
            manifest.media_type = media_type::oci_index;  // OCI made mediaType optional
        else if (root["layers"].error() == simdjson::SUCCESS || root["config"].error() == simdjson::SUCCESS)
            manifest.media_type = media_type::oci_manifest;
        else
            invalid("manifest has neither mediaType, a known Content-Type, 'manifests' nor 'layers'");
    }

    const std::string_view type = manifest.media_type;
    bool is_index = type == media_type::oci_index || type == media_type::docker_manifest_list;
    const bool is_image = type == media_type::oci_manifest || type == media_type::docker_manifest_v2;
    if (!is_index && !is_image) {
        // An unknown type (an artifact, a plugin): described by its shape.
        if (root["manifests"].error() == simdjson::SUCCESS)
            is_index = true;
        else if (root["config"].error() != simdjson::SUCCESS)
            invalid("unsupported manifest media type '" + manifest.media_type + "'");
    }

    if (is_index) {
        manifest.kind = ManifestKind::index;
        manifest.manifests = parse_descriptor_array(root, "manifests", true);
    } else {
        manifest.kind = ManifestKind::image;
        element config;
        if (root["config"].get(config) != simdjson::SUCCESS) invalid("image manifest has no config");
        manifest.config = parse_descriptor(config, "config");
        // OCI artifacts may omit layers; Docker and OCI images always have the key.
        manifest.layers = parse_descriptor_array(root, "layers", false);
    }
    return manifest;
}

}  // namespace regcensus
