#pragma once
// A finished shard: `WORK/shards/shard-NNNNN.h5` with the profiles of its
// layers and one content record per regular file (hash, size, type, path).
// Written to a temporary name and renamed, so a file that exists is complete.
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/layer/layer_profile.hpp"

namespace regcensus {

struct ShardResult {
    int64_t shard_id = 0;
    std::vector<LayerAnalysis> layers;  // in the shard's digest order
};

std::string shard_path(const std::string& work_dir, int64_t shard_id);
bool shard_exists(const std::string& work_dir, int64_t shard_id);
void write_shard(const ShardResult& shard, const std::string& path);
ShardResult read_shard(const std::string& path);
// Statuses of the shard's layers without reading its file records.
std::vector<std::string> read_shard_statuses(const std::string& path);

// Failures worth another try: the network, the registry's limits, its 5xx.
bool is_retryable_status(const std::string& status);

}  // namespace regcensus
