#include "regcensus/resolve/image_resolver.hpp"

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "regcensus/manifest/execution_environment.hpp"
#include "regcensus/registry/reference.hpp"
#include "regcensus/registry/url_origin.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

struct Fetched {
    FetchedManifest raw;
    Manifest parsed;
};

Fetched fetch_manifest(ImageStore& registry, const std::string& repository, const std::string& reference,
                       const WorkDirectory& work) {
    auto raw = registry.get_manifest(repository, reference);
    work.store_blob(raw.digest, raw.bytes);
    auto parsed = parse_manifest(raw.bytes, raw.content_type);
    return {std::move(raw), std::move(parsed)};
}

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

// Fills the row from an image manifest (not an index) and its config.
void describe_image(ImageStore& registry, const std::string& repository, const Fetched& image,
                    const Platform& index_platform, const ResolveOptions& options, const WorkDirectory& work,
                    ImageRecord& row) {
    if (image.parsed.kind == ManifestKind::index)
        throw DataError("manifest_invalid", "the index entry " + image.raw.digest + " is itself an index");
    row.manifest_digest = image.raw.digest;
    row.media_type = image.parsed.media_type;
    row.platform = index_platform.os.empty() ? "" : index_platform.str();
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

// With --all-platforms: the index entries that make rows. An entry repeating an
// earlier one (same digest, same platform) adds nothing; more distinct entries
// than the cap make the image a row error rather than thousands of rows.
std::vector<const Descriptor*> distinct_entries(std::vector<const Descriptor*> entries, const std::string& index,
                                                std::size_t cap) {
    std::set<std::pair<std::string, std::string>> seen;
    std::vector<const Descriptor*> distinct;
    for (const auto* entry : entries) {
        if (!seen.emplace(entry->digest, entry->platform.str()).second) continue;
        if (distinct.size() == cap)
            throw DataError("too_large", "the index " + index + " has more than " + std::to_string(cap) +
                                             " distinct platform entries");
        distinct.push_back(entry);
    }
    return distinct;
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
        const Reference ref = parse_reference(entry.reference, options.docker_hub);
        base.repository = ref.repository;
        base.tag = ref.digest.empty() ? ref.tag : "@" + ref.digest;
        refuse_foreign_registry(ref.host, options.registry_url, "the census");
        auto top = fetch_manifest(registry, ref.repository, ref.manifest_reference(), work);
        if (top.parsed.kind != ManifestKind::index) {
            rows.push_back(base);
            describe_image(registry, ref.repository, top, {}, options, work, rows.back());
            return rows;
        }
        base.index_digest = top.raw.digest;
        base.index_media_type = top.parsed.media_type;
        std::vector<const Descriptor*> chosen;
        if (options.all_platforms) {
            chosen = distinct_entries(all_platforms(top.parsed), top.raw.digest, options.max_index_entries);
        } else if (const auto* one = select_platform(top.parsed, options.platform)) {
            chosen.push_back(one);
        }
        if (chosen.empty())
            throw DataError("platform_not_found", "the index " + top.raw.digest + " has no manifest for platform " +
                                                      (options.all_platforms ? "any" : options.platform.str()));
        // Each platform is a row of its own: a failure of one costs the others nothing.
        // A child manifest listed under several platforms is fetched once: its
        // row is described without the index's platform, which fills in later
        // where the image itself names none (as describe_image would).
        std::map<std::string, std::pair<ImageRecord, std::optional<DataError>>> described;
        for (const auto* entry_descriptor : chosen) {
            auto [it, fresh] = described.try_emplace(entry_descriptor->digest, base, std::nullopt);
            auto& [row, error] = it->second;
            if (fresh) {
                try {
                    auto child = fetch_manifest(registry, ref.repository, entry_descriptor->digest, work);
                    describe_image(registry, ref.repository, child, {}, options, work, row);
                } catch (const DataError& e) {
                    error = e;
                }
            }
            rows.push_back(row);
            if (error) {
                fail(rows.back(), error->status(), error->what());
                rows.back().platform = entry_descriptor->platform.str();
            } else if (rows.back().platform.empty() && !entry_descriptor->platform.os.empty()) {
                rows.back().platform = entry_descriptor->platform.str();
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
