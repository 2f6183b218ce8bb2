#pragma once
// The one walk from an image reference to its image manifests, used by the
// census's plan (resolve_image) and by `fetch`: reference -> manifest -> for an
// index, the wanted platform's entry (or every distinct entry with
// --all-platforms) -> each image manifest. What follows (the config, the
// layers) is the caller's: the plan reads the config, fetch copies the blobs.
// The same rules therefore hold for both: the `library/` rule, foreign
// registries refused, a repeated index entry fetched once, an index with too
// many entries a `too_large` row, an index inside an index `manifest_invalid`.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/registry/image_store.hpp"
#include "regcensus/registry/reference.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

struct WalkOptions {
    Platform platform{"linux", "amd64", ""};
    bool all_platforms = false;  // every distinct platform entry of an index instead of `platform`'s
    // With all_platforms: distinct (digest, platform) entries an index may have;
    // more make the image `too_large` (docs/trust.md, "One failure policy").
    std::size_t max_index_entries = 1000;
    // The registry's URL: a reference naming another host is `foreign_registry`,
    // never fetched from it. Empty (an OCI layout): no check.
    std::string registry_url;
};

struct WalkedManifest {
    FetchedManifest raw;
    Manifest parsed;
};

// One image manifest reached by the walk, or the failure of reaching it (which
// costs the index's other entries nothing).
struct WalkedImage {
    std::string digest;
    std::optional<WalkedManifest> manifest;
    std::optional<DataError> error;
};

struct ImageWalk {
    WalkedManifest top;
    bool index = false;  // `top` is an index (or manifest list)
    // Distinct image manifests in the order first reached; without an index, `top` alone.
    std::vector<WalkedImage> images;
    // The chosen index entries in index order, each naming its image; without an
    // index, one entry with no platform.
    struct Entry {
        Platform platform;
        std::size_t image = 0;
    };
    std::vector<Entry> entries;
};

// Where the walk gets a manifest from (and what it does with it: the plan keeps
// it in the work directory, fetch writes it into the layout).
using ManifestSource = std::function<FetchedManifest(const std::string& repository, const std::string& reference)>;

// The reference as the walk reads it; DataError("invalid_reference") when it is not one.
Reference parse_image_reference(const std::string& text, bool docker_hub);

// Throws DataError for what fails the whole reference (foreign registry, the
// top manifest, no such platform, too many entries); an index entry's own
// failure is its WalkedImage's `error`. `command` names the command in the
// foreign-registry message.
ImageWalk walk_image(const Reference& reference, const WalkOptions& options, const ManifestSource& source,
                     const std::string& command);

}  // namespace regcensus
