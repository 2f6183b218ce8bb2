#pragma once
// The ground truth's union view of an image: its layers' entries replayed from
// scratch onto one map, base first, by the rules of the results contract
// (format version 2, "The union view of an image"). Deliberately the plainest
// reading of those rules (whole-view scans, no undo, no sharing between
// images), written apart from the analyser's walk so the two check each other.
#include <cstdint>
#include <vector>

#include "layer_profile.hpp"

namespace regcensus::synth {

struct UnionTruth {
    int64_t file_count = 0, file_bytes = 0, dir_count = 0, max_depth = 0, symlink_count = 0;
    int64_t overwritten_file_count = 0, overwritten_bytes = 0, deleted_file_count = 0, deleted_bytes = 0;
    int64_t duplicate_file_count = 0, duplicate_bytes = 0;
};

UnionTruth replay_union(const std::vector<const LayerProfile*>& layers);

}  // namespace regcensus::synth
