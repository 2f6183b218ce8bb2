#pragma once
// The plan of a census, saved once in the work directory (`WORK/plan.h5`) and
// used unchanged by every rerun: the resolved image rows and the cut of the
// distinct layers into shards. Shards are consecutive runs of layers in digest
// order, each about `shard_bytes` of compressed blobs (a larger layer is a shard
// alone), so the cut does not depend on the number of ranks.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regcensus/pipeline/image_record.hpp"
#include "regcensus/pipeline/layer_plan.hpp"

namespace regcensus {

struct Shard {
    int64_t id = 0;
    int64_t bytes = 0;                 // compressed bytes of its layers
    std::vector<std::string> digests;  // its layers, in digest order
};

struct CensusPlan {
    std::map<std::string, std::string> parameters;  // what the plan was made from (registry, images, ...)
    std::vector<ImageRecord> images;                // one per line of the image list, in list order
    std::vector<Shard> shards;

    // Distinct layers sorted by digest, ref counts and the image -> layer CSR, derived from `images`.
    LayerPlan layer_plan() const;
    int64_t layer_count() const;
};

std::vector<Shard> cut_shards(const LayerPlan& layers, int64_t shard_bytes);

std::string plan_path(const std::string& work_dir);
void save_plan(const CensusPlan& plan, const std::string& path);  // temp file + rename
CensusPlan load_plan(const std::string& path);

// "3,17,40-45" <-> {3, 17, 40, ..., 45}; throws std::invalid_argument on bad text.
std::vector<int64_t> parse_shard_list(const std::string& text);
std::string format_shard_list(const std::vector<int64_t>& ids);

}  // namespace regcensus
