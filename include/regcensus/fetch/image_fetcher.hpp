#pragma once
// Keeping the dataset: images copied from a registry into an OCI image layout,
// original manifests, configs and layers, each verified, with `concurrency`
// transfers at once over keep-alive connections (one RegistryClient per worker
// thread, sharing tokens and the rate cap). Blobs already in the layout are not
// downloaded again. Used by `regcensus fetch`, once per rank.
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/manifest/manifest.hpp"
#include "regcensus/registry/oci_layout_writer.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/resolve/image_walk.hpp"

namespace regcensus {

struct FetchOptions {
    // Which images of a reference are kept, and the registry's URL: the census's
    // walk (resolve/image_walk.hpp), so fetch keeps what `run` would analyse.
    WalkOptions walk;
    int concurrency = 8;                      // transfers at once
    bool docker_hub = false;                  // the `library/` rule for one-word names
};

struct FetchedImage {
    std::string reference;  // as given
    std::string status = "ok";
    std::string error;      // empty when ok; never a credential
    LayoutEntry entry;      // the index.json entry (name "<repository>:<tag>", or unnamed for a digest reference)
};

struct FetchTally {
    int64_t manifests = 0;
    int64_t blobs_downloaded = 0;
    int64_t blobs_present = 0;  // already in the layout
    int64_t bytes_downloaded = 0;
    int64_t foreign_layers = 0;  // layers with `urls`, not downloaded (see docs/registry-client.md)
    int64_t requests = 0;        // HTTP requests to the registry
    int64_t connections = 0;     // connections they went over (see TransferEngine)
};

// Fetches `references` into `layout`; returns one row per reference, in order.
// Data problems become the row's status; program errors (the layout cannot be
// written) throw.
std::vector<FetchedImage> fetch_images(const RegistryOptions& registry, const OciLayoutWriter& layout,
                                       const std::vector<std::string>& references, const FetchOptions& options,
                                       FetchTally& tally);

}  // namespace regcensus
