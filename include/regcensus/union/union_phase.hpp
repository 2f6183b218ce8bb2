#pragma once
// The union view of every image of a census, computed once per distinct chain
// of layers: the images' layer lists form a prefix tree (the OCI ChainID idea),
// walked depth first with one UnionView per rank, a layer applied on the way
// down and undone on the way up. Big subtrees are split between ranks
// (docs/union-view.md). Results depend on the plan and the shard files only.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/census/census_plan.hpp"
#include "regcensus/union/union_view.hpp"

namespace regcensus {

struct UnionPhaseStats {
    std::size_t tree_nodes = 0;   // distinct non-empty layer chains
    std::size_t tasks = 0;        // subtrees walked, over all ranks
    std::size_t layers_applied = 0;  // tree edges walked by this rank (prefix replays included)
    // This rank's high-water marks, for the memory bound (docs/union-view.md):
    // the view and its undo log follow one chain at a time, the cache its budget.
    std::size_t max_view_paths = 0;
    std::size_t max_undo_records = 0;
    std::size_t max_cache_bytes = 0;
};

// Collective. `profiles` (rank 0's, one per layer row; ignored elsewhere) tell
// which layers analysed ok. Rank 0 gets one entry per image row: the figures,
// or nothing when the plan row failed or any of its layers did; the other
// ranks get an empty vector. Every rank reads the entry tables of the layers
// it walks from the shard files, keeping at most `cache_bytes` of them.
std::vector<std::optional<UnionFigures>> compute_union_views(const CensusPlan& plan, const LayerPlan& layers,
                                                             const std::vector<LayerProfile>& profiles,
                                                             const std::string& work_dir, std::size_t cache_bytes,
                                                             const mpi::Communicator& comm,
                                                             UnionPhaseStats* stats = nullptr);

}  // namespace regcensus
