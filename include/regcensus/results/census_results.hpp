#pragma once
// Everything results.h5 holds, assembled on rank 0 after the reduce.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/h5/h5_location.hpp"
#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/dedup/dedup_reduce.hpp"
#include "regcensus/census/image_record.hpp"
#include "regcensus/census/layer_plan.hpp"
#include "regcensus/storage/storage_scan.hpp"
#include "regcensus/union/union_view.hpp"

namespace regcensus {

// Provenance, in the spirit of SWIFT's snapshots: what produced the file and how.
struct RunProvenance {
    std::string tool_version;
    std::string created_utc;
    std::string command_line;
    int64_t mpi_ranks = 1;
    std::map<std::string, std::string> parameters;  // option name -> value, credentials never included
};

// Per-image sums over its layers; -1 when any layer is unknown.
struct ImageTotals {
    int64_t layer_count = -1, compressed_bytes = -1, uncompressed_bytes = -1, file_count = -1, file_bytes = -1;
    double shared_file_fraction = -1;  // files whose content also occurs in another image, over file_count
};

struct FileTypeTotals {
    std::array<int64_t, kFileTypeCount> file_count{}, file_bytes{}, unique_file_count{}, unique_bytes{};
};

// One /histograms group: inclusive lower edges and counts.
struct BinnedHistogram {
    std::string binning;  // "pow2" (bin 0 = 0, bin k = [2^(k-1), 2^k)) or "linear" (one bin per value)
    std::vector<int64_t> lower, counts;
    std::string description;
    std::string units;  // "bytes", or empty
};

struct CensusResults {
    RunProvenance provenance;
    std::vector<ImageRecord> images;
    std::vector<ImageTotals> image_totals;
    LayerPlan plan;                      // layer rows, ref counts, CSR
    std::vector<LayerProfile> layers;    // same rows as plan.layers
    DedupSummary dedup;
    FileTypeTotals file_types;
    std::map<std::string, BinnedHistogram> histograms;
    StorageSummary storage;  // /storage: only for a census read from a registry's storage
    // The union view per image row (docs/union-view.md); nothing for rows that failed.
    std::vector<std::optional<UnionFigures>> image_union;
    // Writes tables streamed from the work directory (/files) into the results file; empty: none.
    std::function<void(const h5::File&)> write_streamed_tables;
};

// Fills image_totals, file_types (counts) and histograms from images, plan, layers
// and dedup; marks images whose layers failed as `layer_failed`.
void summarise(CensusResults& results);

}  // namespace regcensus
