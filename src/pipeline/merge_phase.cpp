#include "regcensus/pipeline/merge_phase.hpp"

#include <cstring>
#include <unordered_map>

#include "regcensus/h5/results_writer.hpp"
#include "regcensus/pipeline/census.hpp"
#include "regcensus/pipeline/dedup_reduce.hpp"
#include "regcensus/pipeline/layer_profile_codec.hpp"
#include "regcensus/pipeline/shard_file.hpp"

namespace regcensus {
namespace {

// What one rank read: analyses by global layer row.
using LayersByRow = std::unordered_map<uint32_t, LayerAnalysis>;

LayersByRow read_my_shards(const CensusPlan& plan, const LayerPlan& layers, const std::string& work_dir,
                           const mpi::Communicator& comm) {
    std::unordered_map<std::string, uint32_t> row_of;
    for (std::size_t i = 0; i < layers.layers.size(); ++i) row_of[layers.layers[i].digest] = static_cast<uint32_t>(i);
    LayersByRow mine;
    for (std::size_t s = static_cast<std::size_t>(comm.rank()); s < plan.shards.size();
         s += static_cast<std::size_t>(comm.size())) {
        auto shard = read_shard(shard_path(work_dir, plan.shards[s].id));
        for (auto& analysis : shard.layers) {
            const auto row = row_of.at(analysis.profile.digest);
            mine.emplace(row, std::move(analysis));
        }
    }
    return mine;
}

std::vector<LayerProfile> gather_profiles(const mpi::Communicator& comm, const LayersByRow& mine,
                                          std::size_t layer_count) {
    ByteWriter out;
    for (const auto& [row, analysis] : mine) {
        out.put(row);
        encode(out, analysis.profile);
    }
    std::vector<LayerProfile> profiles(comm.is_root() ? layer_count : 0);
    for (const auto& part : comm.gather(out.bytes())) {
        ByteReader in(part);
        while (!in.done()) {
            auto row = in.get<uint32_t>();
            profiles[row] = decode_layer_profile(in);
        }
    }
    return profiles;
}

std::vector<ContentRecord> content_records(const LayersByRow& mine) {
    std::vector<ContentRecord> records;
    for (const auto& [row, analysis] : mine) {
        if (!analysis.profile.ok()) continue;
        for (const auto& f : analysis.files) records.push_back({f.hash, f.size, row, f.index, f.type});
    }
    return records;
}

std::optional<std::string> path_of(const LayersByRow& mine, uint32_t row, uint32_t index) {
    auto it = mine.find(row);
    if (it == mine.end()) return std::nullopt;
    const auto& files = it->second.files;
    if (index < files.size() && files[index].index == index) return files[index].path;
    for (const auto& f : files)
        if (f.index == index) return f.path;
    return std::nullopt;
}

}  // namespace

std::vector<int64_t> missing_shards(const CensusPlan& plan, const std::string& work_dir) {
    std::vector<int64_t> missing;
    for (const auto& s : plan.shards)
        if (!shard_exists(work_dir, s.id)) missing.push_back(s.id);
    return missing;
}

int merge_shards(const CensusPlan& plan, const MergeOptions& options, const mpi::Communicator& comm,
                 const RunLog& log) {
    ByteWriter missing_list;
    if (comm.is_root()) missing_list.put_vector(missing_shards(plan, options.work_dir));
    auto shared = comm.broadcast(std::move(missing_list.bytes()));
    ByteReader in(shared);
    const auto missing = in.get_vector<int64_t>();
    if (!missing.empty()) {
        log.root("merge: missing shards: %s (rerun them, then merge)", format_shard_list(missing).c_str());
        return kExitMissingShards;
    }

    auto layers = plan.layer_plan();
    auto mine = read_my_shards(plan, layers, options.work_dir, comm);
    log.root("merge: read %zu shard file(s) on %d rank(s)", plan.shards.size(), comm.size());

    CensusResults results;
    results.layers = gather_profiles(comm, mine, layers.layers.size());
    DedupOptions dedup;
    dedup.top_rows = options.top_rows;
    dedup.memory_per_rank = options.memory_per_rank;
    dedup.spill_dir = dedup_spill_dir(options.work_dir, comm.rank());
    dedup.layer_count = layers.layers.size();
    std::vector<int64_t> sole_image;
    for (const auto& layer : layers.layers) sole_image.push_back(layer.sole_image);
    results.dedup = reduce_duplicates(comm, content_records(mine), dedup, sole_image,
                                      [&](uint32_t row, uint32_t index) { return path_of(mine, row, index); });
    if (comm.is_root()) {
        results.provenance = options.provenance;
        results.images = plan.images;
        results.plan = std::move(layers);
        summarise(results);
        write_results(results, options.out_path);
        log.root("merge: %lld files, %lld distinct contents; wrote %s", (long long)results.dedup.file_count,
                 (long long)results.dedup.unique_file_count, options.out_path.c_str());
    }
    comm.barrier();
    return 0;
}

}  // namespace regcensus
