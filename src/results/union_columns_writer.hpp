#pragma once
// The format version 2 columns of what the container sees and who shares
// what: the union view of /images and manifest_ref_count / repository_count
// of /layers (docs/union-view.md). Called by write_results once /images and
// /layers exist.
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/results/census_results.hpp"

namespace regcensus {

void write_union_columns(const h5::File& file, const CensusResults& results);
void write_sharing_columns(const h5::File& file, const CensusResults& results);

}  // namespace regcensus
