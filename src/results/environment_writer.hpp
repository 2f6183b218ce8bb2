#pragma once
// The results file's execution environment, build history, crawl columns and
// dataset tables (docs/execution-environment.md, docs/results-file.md):
// columns added to /images and /layers, the table /image_layers and the group
// /tables. Called by write_results after the contract's groups exist.
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/results/census_results.hpp"

namespace regcensus {

// /images: os ... manifest_bytes, history_mismatch, last_updated, is_official, source, index_media_type.
void write_image_environment(const h5::File& file, const CensusResults& results);

// /image_layers (opened if another writer created it): one row per (image, layer position)
// of the /images CSR; and /layers/history_created.
void write_image_layers(const h5::File& file, const CensusResults& results);

// /tables: counts of images, layers, manifests and configs by status and media type.
void write_dataset_tables(const h5::File& file, const CensusResults& results);

}  // namespace regcensus
