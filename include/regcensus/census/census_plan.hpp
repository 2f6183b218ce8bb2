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

#include "regcensus/census/image_record.hpp"
#include "regcensus/census/layer_plan.hpp"

namespace regcensus {

struct Shard {
    int64_t id = 0;
    int64_t bytes = 0;                 // compressed bytes of its layers
    std::vector<std::string> digests;  // its layers, in digest order
};

// 2: parameters as in plan_parameters.hpp (with images_sha256, shard_bytes as
// given and shard_bytes_used); 1: registry, images, platform, shard_bytes (used).
inline constexpr int64_t kPlanFormatVersion = 2;

struct CensusPlan {
    int64_t format_version = kPlanFormatVersion;
    std::map<std::string, std::string> parameters;  // what the plan was made from (registry, images, ...)
    std::vector<ImageRecord> images;                // one per line of the image list, in list order
    std::vector<Shard> shards;
    // Not saved: the differences from this command's parameters that --accept-plan accepted.
    std::string accepted_differences;

    // Distinct layers sorted by digest, ref counts and the image -> layer CSR, derived from `images`.
    LayerPlan layer_plan() const;
    int64_t layer_count() const;
};

std::vector<Shard> cut_shards(const LayerPlan& layers, int64_t shard_bytes);

std::string plan_path(const std::string& work_dir);
// Checked temp file + rename (h5::write_atomically): throws "cannot write PATH: cause".
void save_plan(const CensusPlan& plan, const std::string& path);
// Throws std::runtime_error naming the path and the cause when it does not open or is no plan.
CensusPlan load_plan(const std::string& path);
// Throws the error a command continuing `work_dir` should end with (one line: the
// path and the cause) unless it holds a plan file that opens; its data is not read.
void check_plan_file(const std::string& work_dir);

// "3,17,40-45" <-> {3, 17, 40, ..., 45}; throws std::invalid_argument on bad text.
std::vector<int64_t> parse_shard_list(const std::string& text);
std::string format_shard_list(const std::vector<int64_t>& ids);

}  // namespace regcensus
