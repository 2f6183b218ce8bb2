#pragma once
// `/files` (run --files, format version 2): one row per tar entry of every
// analysed layer, from the entry tables the shard files keep, written in
// /layers row order (shards are consecutive runs of layers in digest order,
// so shard by shard is row order) and tar order within a layer. Streams one
// shard at a time into chunked, compressed columns (docs/union-view.md, "/files").
#include <string>

#include "regcensus/h5/h5_location.hpp"
#include "regcensus/census/census_plan.hpp"

namespace regcensus {

// Writes the /files group into `file`; returns the number of rows.
std::size_t write_files_table(const h5::File& file, const CensusPlan& plan, const LayerPlan& layers,
                              const std::string& work_dir);

}  // namespace regcensus
