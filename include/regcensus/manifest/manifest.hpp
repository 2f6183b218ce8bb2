#pragma once
// Parsing of original manifests and image configs with simdjson. Nothing is
// converted: what the registry stored is what is described.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus {

namespace media_type {
inline constexpr std::string_view docker_manifest_v2 = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_manifest_v1 = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view docker_manifest_v1_signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view docker_layer_gzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";
}  // namespace media_type

struct Platform {
    std::string os;
    std::string architecture;
    std::string variant;
    std::string str() const;  // "os/arch[/variant]"
    static Platform parse(std::string_view text);  // "linux/arm64/v8"; throws std::invalid_argument
    bool operator==(const Platform&) const = default;
};

struct Descriptor {
    std::string media_type;
    std::string digest;
    int64_t size = -1;
    std::vector<std::string> urls;  // foreign layers
    Platform platform;              // only in index entries
};

enum class ManifestKind { image, index };

struct Manifest {
    ManifestKind kind = ManifestKind::image;
    std::string media_type;              // from the body, else the Content-Type it came with
    int schema_version = 2;
    Descriptor config;                   // image manifests of schema 2 / OCI
    std::vector<Descriptor> layers;      // base layer first
    std::vector<Descriptor> manifests;   // index / manifest list entries
    // Schema 1 has no config blob: its first (newest) `history[].v1Compatibility`
    // says when and for what platform the image was built. -1 / empty otherwise.
    int64_t schema1_created = -1;        // Unix seconds
    Platform schema1_platform;
};

// Throws DataError("manifest_invalid", ...) on malformed or unsupported input.
Manifest parse_manifest(std::string_view bytes, std::string_view content_type);

// The entry of an index that matches `want` (variant compared only when `want` has one);
// nullptr when none does. Attestation manifests are never chosen.
const Descriptor* select_platform(const Manifest& index, const Platform& want);

// BuildKit's attestation manifests (provenance, SBOM) sit in an index with the
// platform "unknown/unknown": they are not images.
bool is_attestation(const Descriptor& entry);

// Every image entry of an index, in index order, attestations excluded
// (`--all-platforms`: one /images row per entry).
std::vector<const Descriptor*> all_platforms(const Manifest& index);

struct ImageConfig {
    int64_t created = -1;  // Unix seconds
    Platform platform;
    std::vector<std::string> diff_ids;
};

// Throws DataError("config_invalid", ...).
ImageConfig parse_image_config(std::string_view bytes);

}  // namespace regcensus
