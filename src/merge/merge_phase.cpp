#include "regcensus/merge/merge_phase.hpp"
#include "regcensus/results/failure_list.hpp"

#include <bit>
#include <chrono>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "regcensus/results/results_writer.hpp"
#include "regcensus/census/run_options.hpp"
#include "regcensus/dedup/dedup_reduce.hpp"
#include "regcensus/workdir/layer_profile_codec.hpp"
#include "regcensus/workdir/shard_file.hpp"
#include "regcensus/workdir/shard_validation.hpp"
#include "regcensus/results/storage_results.hpp"
#include "regcensus/results/files_table.hpp"
#include "regcensus/union/union_phase.hpp"
#include "regcensus/census/phase_peak.hpp"

namespace regcensus {
namespace {

// This rank's shard files (every size-th of the plan), read in two passes so
// that memory does not grow with the dataset: the layer profiles first (small),
// then the content records streamed to the duplicate index one shard at a time
// (the file table without paths); the few example paths the index asks for are
// read one by one at the end.
class MyShards {
public:
    MyShards(const CensusPlan& plan, const LayerPlan& layers, const std::string& work_dir,
             const mpi::Communicator& comm) {
        std::unordered_map<std::string, uint32_t> row_of;
        for (std::size_t i = 0; i < layers.layers.size(); ++i)
            row_of[layers.layers[i].digest] = static_cast<uint32_t>(i);
        for (std::size_t s = static_cast<std::size_t>(comm.rank()); s < plan.shards.size();
             s += static_cast<std::size_t>(comm.size())) {
            Shard& shard = shards_.emplace_back();
            shard.path = shard_path(work_dir, plan.shards[s].id);
            for (auto& profile : read_shard_profiles(shard.path)) {
                const uint32_t row = row_of.at(profile.digest);
                shard.rows.push_back(row);
                shard.counted.push_back(profile.ok());
                profiles_.emplace(row, std::move(profile));
            }
        }
    }

    const std::unordered_map<uint32_t, LayerProfile>& profiles() const { return profiles_; }

    // The content records of the successfully analysed layers, shard after shard.
    RecordSource records() {
        return [this](std::span<ContentRecord> batch) {
            std::size_t filled = 0;
            while (filled < batch.size()) {
                if (next_row_ == table_.layer.size()) {
                    if (next_shard_ == shards_.size()) break;
                    table_ = read_shard_file_table(shards_[next_shard_].path);
                    current_ = next_shard_++;
                    next_row_ = 0;
                    continue;
                }
                const std::size_t i = next_row_++;
                const Shard& shard = shards_[current_];
                const auto position = static_cast<std::size_t>(table_.layer[i]);
                if (!shard.counted.at(position)) continue;
                const uint32_t row = shard.rows[position];
                const auto index = static_cast<uint32_t>(table_.index[i]);
                if (index == 0) first_file_.emplace(row, FileLocation{current_, i});
                batch[filled++] = {{std::bit_cast<uint64_t>(table_.hash_high[i]),
                                    std::bit_cast<uint64_t>(table_.hash_low[i])},
                                   table_.size[i],
                                   row,
                                   index,
                                   static_cast<FileType>(table_.type[i])};
            }
            if (filled == 0) {  // done: give the last table back before counting
                table_ = {};
                next_row_ = 0;
            }
            return filled;
        };
    }

    // File `index` of layer `row`, if this rank read that layer (after records() ran dry).
    std::optional<std::string> path_of(uint32_t row, uint32_t index) const {
        const auto found = first_file_.find(row);
        if (found == first_file_.end()) return std::nullopt;
        const auto& [shard, first_row] = found->second;
        return read_shard_file_path(shards_[shard].path, first_row + index);
    }

private:
    struct Shard {
        std::string path;
        std::vector<uint32_t> rows;  // layer row of each of its layers, in shard order
        std::vector<bool> counted;   // whether that layer's files enter the index (analysed ok)
    };
    struct FileLocation {
        std::size_t shard;
        std::size_t first_row;  // of the layer's file 0 in the shard's /files table
    };
    std::vector<Shard> shards_;
    std::unordered_map<uint32_t, LayerProfile> profiles_;
    std::unordered_map<uint32_t, FileLocation> first_file_;
    // Streaming position: the table of shards_[current_], its next row.
    ShardFileTable table_;
    std::size_t current_ = 0, next_shard_ = 0, next_row_ = 0;
};

std::vector<LayerProfile> gather_profiles(const mpi::Communicator& comm,
                                          const std::unordered_map<uint32_t, LayerProfile>& mine,
                                          std::size_t layer_count) {
    ByteWriter out;
    for (const auto& [row, profile] : mine) {
        out.put(row);
        encode(out, profile);
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

// The union view of every image, timed (the benchmark reads the line).
std::vector<std::optional<UnionFigures>> union_phase(const CensusPlan& plan, const LayerPlan& layers,
                                                     const std::vector<LayerProfile>& profiles,
                                                     const MergeOptions& options, const mpi::Communicator& comm,
                                                     const RunLog& log) {
    PhasePeak phase("union", comm, log);
    const auto start = std::chrono::steady_clock::now();
    UnionPhaseStats stats;
    // A quarter of the budget for cached entry tables; the walk's own view is
    // the deepest chain's files, beside it.
    auto figures = compute_union_views(plan, layers, profiles, options.work_dir, options.memory_per_rank / 4, comm, &stats);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    log.root("merge: union view of %zu images over %zu layer chains in %zu tasks, %.3f s",
             plan.images.size(), stats.tree_nodes, stats.tasks, seconds);
    // Per rank: the memory bound of the walk is tested on these figures.
    log.rank("merge: union walk held at most %zu paths in its view, %zu undo records, %zu bytes of "
             "cached entry tables (budget %zu)",
             stats.max_view_paths, stats.max_undo_records, stats.max_cache_bytes,
             options.memory_per_rank / 4);
    phase.end();
    return figures;
}

// /files as pieces: rank 0 names this merge's set, every rank writes the
// pieces of its shards, rank 0 gets them all (to join them when it writes the
// results file). Empty set name when /files is not joined from pieces.
struct PieceSet {
    std::string name;
    std::vector<FilesPiece> pieces;  // rank 0's: every rank's
};

PieceSet write_pieces(const CensusPlan& plan, const LayerPlan& layers, const MergeOptions& options,
                      const mpi::Communicator& comm, const RunLog& log) {
    PieceSet set;
    if (!options.files || options.files_copy) return set;
    const auto start = std::chrono::steady_clock::now();
    std::vector<char> name;
    if (comm.is_root()) {
        const std::string chosen = new_files_piece_set();
        create_files_piece_set(options.out_path, chosen);
        name.assign(chosen.begin(), chosen.end());
    }
    name = comm.broadcast(std::move(name));
    set.name.assign(name.begin(), name.end());
    ByteWriter mine;
    if (const auto piece = write_files_piece(plan, layers, options.work_dir, options.out_path, set.name, comm.rank(),
                                             comm.size())) {
        mine.put_string(piece->file);
        mine.put<int64_t>(piece->first_layer_row);
        mine.put<uint64_t>(piece->rows);
    }
    for (const auto& bytes : comm.gather(mine.bytes())) {
        ByteReader in(bytes);
        while (!in.done()) {
            FilesPiece& piece = set.pieces.emplace_back();
            piece.file = in.get_string();
            piece.first_layer_row = in.get<int64_t>();
            piece.rows = in.get<uint64_t>();
        }
    }
    log.root("merge: /files written as %zu piece(s) by %d rank(s) in %.3f s", set.pieces.size(), comm.size(),
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return set;
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
    PhasePeak phase("merge", comm, log);
    ByteWriter missing_list;
    if (comm.is_root()) {
        set_aside_invalid_shards(plan, options.work_dir, std::nullopt, log);
        missing_list.put_vector(missing_shards(plan, options.work_dir));
    }
    auto shared = comm.broadcast(std::move(missing_list.bytes()));
    ByteReader in(shared);
    const auto missing = in.get_vector<int64_t>();
    if (!missing.empty()) {
        log.root("merge: missing shards: %s (rerun them, then merge)", format_shard_list(missing).c_str());
        return kExitMissingShards;
    }

    auto layers = plan.layer_plan();
    MyShards mine(plan, layers, options.work_dir, comm);
    log.root("merge: read %zu shard file(s) on %d rank(s)", plan.shards.size(), comm.size());

    CensusResults results;
    results.layers = gather_profiles(comm, mine.profiles(), layers.layers.size());
    results.image_union = union_phase(plan, layers, results.layers, options, comm, log);
    DedupOptions dedup;
    dedup.top_rows = options.top_rows;
    dedup.memory_per_rank = options.memory_per_rank;
    dedup.spill_dir = dedup_spill_dir(options.work_dir, comm.rank());
    dedup.layer_count = layers.layers.size();
    std::vector<int64_t> sole_image;
    for (const auto& layer : layers.layers) sole_image.push_back(layer.sole_image);
    results.dedup = reduce_duplicates(comm, mine.records(), dedup, sole_image,
                                      [&](uint32_t row, uint32_t index) { return mine.path_of(row, index); });
    // The last point at which a stop costs nothing: the rest writes.
    const bool stop = options.stop_requested && options.stop_requested();
    if (comm.max(stop ? 1 : 0) != 0) {
        log.root("stopped by a signal before the results were written; rerun `regcensus merge` (or run --resume) "
                 "to write them");
        return kExitIncomplete;
    }
    const PieceSet pieces = write_pieces(plan, layers, options, comm, log);
    if (comm.is_root()) {
        results.provenance = options.provenance;
        results.images = plan.images;
        results.plan = std::move(layers);
        if (options.files)
            results.write_streamed_tables = [&](const h5::File& file) {
                const auto rows = options.files_copy ? write_files_table(file, plan, results.plan, options.work_dir)
                                                     : join_files_pieces(file, pieces.pieces);
                log.root("merge: /files holds %zu entries%s", rows, options.files_copy ? " (copied)" : "");
            };
        summarise(results);
        results.storage = storage_summary_of(results.provenance.parameters, results.dedup);
        write_results(results, options.out_path);
        // The new results file is in place: the pieces of the one it replaced can go.
        if (!remove_other_piece_sets(options.out_path, pieces.name))
            log.root("warning: merge: could not remove the older /files pieces beside %s", options.out_path.c_str());
        log.root("merge: %lld files, %lld distinct contents; wrote %s", (long long)results.dedup.file_count,
                 (long long)results.dedup.unique_file_count, options.out_path.c_str());
        log_failure_summary(results, options.out_path, log);
    }
    comm.barrier();
    phase.end();
    return 0;
}

}  // namespace regcensus
