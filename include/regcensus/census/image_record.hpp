#pragma once
// One row of /images as the plan phase resolves it, plus the layer descriptors
// that tie it to /layers.
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/census/image_environment.hpp"
#include "regcensus/census/image_list.hpp"
#include "regcensus/util/binary_codec.hpp"

namespace regcensus {

struct ImageLayerRef {
    std::string digest;
    std::string media_type;
    int64_t size = -1;
    bool foreign = false;  // the descriptor names `urls`: content kept outside the registry
};

struct ImageRecord {
    std::string reference, repository, tag;
    std::string status = "ok", error;
    std::string manifest_digest, index_digest, media_type, platform;
    int64_t created = -1, pull_count = -1, star_count = -1;
    std::vector<ImageLayerRef> layers;  // base first, as listed in the manifest
    ImageEnvironment environment;       // config / schema 1 environment and per-layer history
    ImageListing listing;               // crawl columns of the image list
    std::string index_media_type;       // of the index or manifest list the tag named; empty otherwise

    // Resolved: "ok", or "untagged" (a manifest of a registry's storage no tag
    // names, resolved and analysed like any other; docs/storage.md).
    bool ok() const { return status == "ok" || status == "untagged"; }
};

void encode(ByteWriter& out, const ImageRecord& image);
ImageRecord decode_image_record(ByteReader& in);

}  // namespace regcensus
