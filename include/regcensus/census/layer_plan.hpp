#pragma once
// From resolved images to the distinct layers: one row per distinct digest,
// sorted by digest (the /layers row order), its reference count, where to fetch
// it, and the CSR index from images to layer rows.
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/census/image_record.hpp"

namespace regcensus {

struct PlannedLayer {
    std::string digest;
    std::string media_type;  // the one most images listing it declare (ties: the smallest string)
    std::string repository;  // a repository the blob can be fetched from (the first image listing it)
    // Repositories of the other images listing it, in list order: where to try
    // next when `repository` does not serve the blob (another image's word).
    std::vector<std::string> other_repositories;
    int64_t size = -1;       // the size most images declare (ties: the smallest); shard cutting only:
                             // the analysis verifies the blob by digest, not by a declared size
    // The largest size an image declares (-1: none declares one, schema 1): the
    // most bytes read before the blob is refused, so that an endless blob costs
    // no more than the most generous honest descriptor allows.
    int64_t largest_declared_size = -1;
    int64_t ref_count = 0;   // images (rows of /images) whose manifest lists it, each image once
    int64_t sole_image = -1; // the first image row listing it, or -1 when rows of two or more distinct
                             // manifests do (tags of one manifest are one image for sharing)
    bool foreign = false;    // every image declares it foreign (descriptor `urls`): not fetched
};

struct LayerPlan {
    std::vector<PlannedLayer> layers;
    std::vector<int64_t> image_layer_offsets;  // image_count + 1 entries
    std::vector<int64_t> image_layer_rows;     // rows of `layers`, base layer first
};

LayerPlan plan_layers(const std::vector<ImageRecord>& images);

}  // namespace regcensus
