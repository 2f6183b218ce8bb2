#include "regcensus/pipeline/image_resolver.hpp"

#include <stdexcept>

#include "regcensus/registry/reference.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

void fill_layers(ImageRecord& image, const Manifest& manifest) {
    for (const auto& d : manifest.layers) image.layers.push_back({d.digest, d.media_type, d.size});
}

void resolve_manifest_chain(ImageStore& registry, const Reference& ref, const ResolveOptions& options,
                            const WorkDirectory& work, ImageRecord& image) {
    auto fetched = registry.get_manifest(ref.repository, ref.manifest_reference());
    work.store_blob(fetched.digest, fetched.bytes);
    auto manifest = parse_manifest(fetched.bytes, fetched.content_type);
    Platform index_platform;
    if (manifest.kind == ManifestKind::index) {
        const Descriptor* chosen = select_platform(manifest, options.platform);
        if (!chosen)
            throw DataError("platform_not_found", "the index " + fetched.digest + " has no manifest for platform " +
                                                      options.platform.str());
        image.index_digest = fetched.digest;
        index_platform = chosen->platform;
        fetched = registry.get_manifest(ref.repository, chosen->digest);
        work.store_blob(fetched.digest, fetched.bytes);
        manifest = parse_manifest(fetched.bytes, fetched.content_type);
        if (manifest.kind == ManifestKind::index)
            throw DataError("manifest_invalid", "the index entry " + chosen->digest + " is itself an index");
    }
    image.manifest_digest = fetched.digest;
    image.media_type = manifest.media_type;
    image.platform = index_platform.os.empty() ? "" : index_platform.str();
    fill_layers(image, manifest);

    if (!manifest.config.digest.empty()) {
        auto config_bytes = registry.get_blob(ref.repository, manifest.config.digest, options.max_config_bytes);
        work.store_blob(manifest.config.digest, config_bytes);
        auto config = parse_image_config(config_bytes);
        image.created = config.created;
        // The config is the image's own word on its platform; the index entry is only a fallback.
        if (!config.platform.os.empty() && !config.platform.architecture.empty())
            image.platform = config.platform.str();
    }
}

}  // namespace

ImageRecord resolve_image(ImageStore& registry, const ImageListEntry& entry, const ResolveOptions& options,
                          const WorkDirectory& work) {
    ImageRecord image;
    image.reference = entry.reference;
    image.pull_count = entry.pull_count;
    image.star_count = entry.star_count;
    try {
        const Reference ref = parse_reference(entry.reference, options.docker_hub);
        image.repository = ref.repository;
        image.tag = ref.digest.empty() ? ref.tag : "@" + ref.digest;
        resolve_manifest_chain(registry, ref, options, work, image);
    } catch (const std::invalid_argument& e) {
        image.status = "invalid_reference";
        image.error = e.what();
    } catch (const DataError& e) {
        image.status = e.status();
        image.error = e.what();
    }
    if (!image.ok()) {
        image.layers.clear();
        image.created = -1;
    }
    return image;
}

}  // namespace regcensus
