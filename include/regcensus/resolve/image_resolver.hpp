#pragma once
// The plan phase for one image: the image walk (resolve/image_walk.hpp:
// reference -> manifest -> index -> platform manifests), then each image's
// config -> the row with its layer descriptors. Every
// failure becomes the row's status; nothing here throws for data problems.
#include "regcensus/manifest/manifest.hpp"
#include "regcensus/census/image_list.hpp"
#include "regcensus/census/image_record.hpp"
#include "regcensus/workdir/work_directory.hpp"
#include "regcensus/registry/image_store.hpp"
#include "regcensus/resolve/image_walk.hpp"

namespace regcensus {

struct ResolveOptions {
    Platform platform{"linux", "amd64", ""};
    bool docker_hub = false;  // apply the `library/` rule to one-word names
    // The registry's URL: a reference naming another host is the row status
    // "foreign_registry", never fetched from it. Empty (an OCI layout): no check.
    std::string registry_url;
    bool all_platforms = false;  // one row per platform of an index instead of `platform`'s
    // With all_platforms: distinct (digest, platform) entries an index may have;
    // more make the image row `too_large` (docs/trust.md, "One failure policy").
    std::size_t max_index_entries = 1000;
    int64_t max_config_bytes = 4 << 20;
};

// One row, or with `all_platforms` one row per distinct platform entry of an
// index (in index order; repeated entries give no further row).
std::vector<ImageRecord> resolve_image(ImageStore& registry, const ImageListEntry& entry,
                                       const ResolveOptions& options, const WorkDirectory& work);

}  // namespace regcensus
