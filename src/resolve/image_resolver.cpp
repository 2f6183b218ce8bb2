#include "regcensus/resolve/image_resolver.hpp"

#include <optional>
#include <stdexcept>
#include <utility>

#include "regcensus/manifest/execution_environment.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

ImageEnvironment describe_environment(ExecutionEnvironment config, const Manifest& manifest,
                                      const FetchedManifest& raw) {
    ImageEnvironment environment;
    environment.known = true;
    environment.config = std::move(config);
    environment.config_media_type = manifest.config.media_type;
    environment.manifest_bytes = int64_t(raw.bytes.size());
    pair_history(environment, manifest.layers.size());
    return environment;
}

// Fills the row from an image manifest (not an index: the walk refuses one) and its config.
void describe_image(ImageStore& registry, const std::string& repository, const WalkedManifest& image,
                    const ResolveOptions& options, const WorkDirectory& work, ImageRecord& row) {
    row.manifest_digest = image.raw.digest;
    row.media_type = image.parsed.media_type;
    for (const auto& d : image.parsed.layers) row.layers.push_back({d.digest, d.media_type, d.size, !d.urls.empty()});

    if (image.parsed.schema_version == 1) {
        // Schema 1 has no config: its newest v1Compatibility entry speaks for the image.
        row.created = image.parsed.schema1_created;
        if (!image.parsed.schema1_platform.os.empty()) row.platform = image.parsed.schema1_platform.str();
        row.environment = describe_environment(parse_schema1_environment(image.raw.bytes), image.parsed, image.raw);
        return;
    }
    if (image.parsed.config.digest.empty()) return;
    auto config_bytes = registry.get_blob(repository, image.parsed.config.digest, options.max_config_bytes);
    work.store_blob(image.parsed.config.digest, config_bytes);
    auto config = parse_image_config(config_bytes);
    row.environment = describe_environment(parse_config_environment(config_bytes), image.parsed, image.raw);
    row.environment.config_bytes = int64_t(config_bytes.size());
    row.created = config.created;
    // The config is the image's own word on its platform; the index entry is only a fallback.
    if (!config.platform.os.empty() && !config.platform.architecture.empty()) row.platform = config.platform.str();
}

void fail(ImageRecord& row, std::string status, std::string message) {
    row.environment = {};
    row.status = std::move(status);
    row.error = std::move(message);
    row.layers.clear();
    row.created = -1;
    row.manifest_digest.clear();
    row.media_type.clear();
}

}  // namespace

std::vector<ImageRecord> resolve_image(ImageStore& registry, const ImageListEntry& entry,
                                       const ResolveOptions& options, const WorkDirectory& work) {
    ImageRecord base;
    base.reference = entry.reference;
    base.pull_count = entry.pull_count;
    base.star_count = entry.star_count;
    base.listing = entry.listing;
    std::vector<ImageRecord> rows;
    try {
        const Reference ref = parse_image_reference(entry.reference, options.docker_hub);
        base.repository = ref.repository;
        base.tag = ref.digest.empty() ? ref.tag : "@" + ref.digest;
        const ManifestSource source = [&](const std::string& repository, const std::string& reference) {
            auto raw = registry.get_manifest(repository, reference);
            work.store_blob(raw.digest, raw.bytes);
            return raw;
        };
        const WalkOptions walk_options{options.platform, options.all_platforms, options.max_index_entries,
                                       options.registry_url};
        const ImageWalk walk = walk_image(ref, walk_options, source, "the census");
        if (!walk.index) {
            rows.push_back(base);
            describe_image(registry, ref.repository, walk.top, options, work, rows.back());
            return rows;
        }
        base.index_digest = walk.top.raw.digest;
        base.index_media_type = walk.top.parsed.media_type;
        // Each platform is a row of its own: a failure of one costs the others nothing.
        // An image listed under several platforms is described once, without the
        // index's platform, which fills in later where the image itself names none.
        std::vector<std::pair<ImageRecord, std::optional<DataError>>> described;
        for (const auto& image : walk.images) {
            auto& [row, error] = described.emplace_back(base, image.error);
            if (error) continue;
            try {
                describe_image(registry, ref.repository, *image.manifest, options, work, row);
            } catch (const DataError& e) {
                error = e;
            }
        }
        for (const auto& chosen : walk.entries) {
            const auto& [row, error] = described[chosen.image];
            rows.push_back(row);
            if (error) {
                fail(rows.back(), error->status(), error->what());
                rows.back().platform = chosen.platform.str();
            } else if (rows.back().platform.empty() && !chosen.platform.os.empty()) {
                rows.back().platform = chosen.platform.str();
            }
        }
    } catch (const std::invalid_argument& e) {
        rows.assign(1, base);
        fail(rows.back(), "invalid_reference", e.what());
    } catch (const DataError& e) {
        rows.assign(1, base);
        fail(rows.back(), e.status(), e.what());
    }
    return rows;
}

}  // namespace regcensus
