#pragma once
// The /storage group of results.h5 (docs/results-file.md, docs/storage.md):
// what a census read from a registry's storage found the storage to cost.
#include <map>
#include <optional>
#include <string>

#include "regcensus/h5/h5_location.hpp"
#include "regcensus/storage/storage_scan.hpp"

namespace regcensus {

// The summary of the storage a census read (the plan parameter `storage`),
// with the census's file-level duplication; not present for other sources.
StorageSummary storage_summary_of(const std::map<std::string, std::string>& plan_parameters,
                                  const DedupSummary& dedup);

// Writes /storage when `summary` is present.
void write_storage_group(const h5::Location& file, const StorageSummary& summary);

// /storage of a results file; nullopt when the file has none.
std::optional<StorageSummary> read_storage_group(const h5::Location& file);

}  // namespace regcensus
