#include "regcensus/resolve/image_walk.hpp"

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "regcensus/registry/url_origin.hpp"

namespace regcensus {
namespace {

WalkedManifest fetch(const ManifestSource& source, const std::string& repository, const std::string& reference) {
    WalkedManifest walked{source(repository, reference), {}};
    walked.parsed = parse_manifest(walked.raw.bytes, walked.raw.content_type);
    return walked;
}

// With --all-platforms: the index entries that make rows. An entry repeating an
// earlier one (same digest, same platform) adds nothing; more distinct entries
// than the cap make the image an error rather than thousands of rows.
std::vector<const Descriptor*> distinct_entries(const std::vector<const Descriptor*>& entries,
                                                const std::string& index, std::size_t cap) {
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

Reference parse_image_reference(const std::string& text, bool docker_hub) {
    try {
        return parse_reference(text, docker_hub);
    } catch (const std::invalid_argument& error) {
        throw DataError("invalid_reference", error.what());
    }
}

ImageWalk walk_image(const Reference& reference, const WalkOptions& options, const ManifestSource& source,
                     const std::string& command) {
    refuse_foreign_registry(reference.host, options.registry_url, command);
    ImageWalk walk;
    walk.top = fetch(source, reference.repository, reference.manifest_reference());
    walk.index = walk.top.parsed.kind == ManifestKind::index;
    if (!walk.index) {
        walk.images.push_back({walk.top.raw.digest, walk.top, std::nullopt});
        walk.entries.push_back({});
        return walk;
    }
    std::vector<const Descriptor*> chosen;
    if (options.all_platforms) {
        chosen = distinct_entries(all_platforms(walk.top.parsed), walk.top.raw.digest, options.max_index_entries);
    } else if (const auto* one = select_platform(walk.top.parsed, options.platform)) {
        chosen.push_back(one);
    }
    if (chosen.empty())
        throw DataError("platform_not_found", "the index " + walk.top.raw.digest + " has no manifest for platform " +
                                                  (options.all_platforms ? "any" : options.platform.str()));
    // An image manifest listed under several platforms is fetched once.
    std::map<std::string, std::size_t> reached;
    for (const auto* entry : chosen) {
        auto [it, fresh] = reached.try_emplace(entry->digest, walk.images.size());
        if (fresh) {
            WalkedImage image{entry->digest, std::nullopt, std::nullopt};
            try {
                image.manifest = fetch(source, reference.repository, entry->digest);
                if (image.manifest->parsed.kind == ManifestKind::index)
                    throw DataError("manifest_invalid", "the index entry " + entry->digest + " is itself an index");
            } catch (const DataError& error) {
                image.manifest.reset();
                image.error = error;
            }
            walk.images.push_back(std::move(image));
        }
        walk.entries.push_back({entry->platform, it->second});
    }
    return walk;
}

}  // namespace regcensus
