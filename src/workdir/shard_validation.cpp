#include "regcensus/workdir/shard_validation.hpp"

#include <algorithm>

#include "regcensus/workdir/shard_file.hpp"

namespace regcensus {

std::vector<int64_t> set_aside_invalid_shards(const CensusPlan& plan, const std::string& work_dir,
                                              const std::optional<std::vector<int64_t>>& only, const RunLog& log) {
    std::vector<int64_t> set_aside;
    for (const auto& shard : plan.shards) {
        if (only && !std::binary_search(only->begin(), only->end(), shard.id)) continue;
        if (!shard_exists(work_dir, shard.id)) continue;
        const auto path = shard_path(work_dir, shard.id);
        const auto problem = shard_file_problem(path, shard.id, shard.digests);
        if (!problem) continue;
        const auto moved = set_shard_aside(work_dir, shard.id);
        log.root("shard %lld: %s is not a valid shard (%s): moved to %s, it will be redone", (long long)shard.id,
                 path.c_str(), problem->c_str(), moved.c_str());
        set_aside.push_back(shard.id);
    }
    return set_aside;
}

}  // namespace regcensus
