#pragma once
// The failed rows of a census, by status: what the end of `run`/`merge`
// prints (counts and the first few rows), and what `report --failures` and
// `status --failures` print in full (text, or JSON with --json).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/census/image_record.hpp"

namespace regcensus {

struct FailedRow {
    std::string name;  // image reference, or layer digest
    std::string status, error;
};

struct FailureList {
    int64_t images = 0, layers = 0;  // rows looked at
    std::vector<FailedRow> failed_images, failed_layers;

    void add_image(std::string reference, const std::string& status, std::string error);
    void add_layer(std::string digest, const std::string& status, std::string error);
    // Failed rows per status, e.g. {"blob_unknown": 2, "network": 1}.
    static std::map<std::string, int64_t> counts(const std::vector<FailedRow>& rows);
};

// The failed rows of a census's /images and /layers.
FailureList failures_of(const std::vector<ImageRecord>& images, const std::vector<LayerProfile>& layers);

// "failures: 3 of 24 images (layer_failed 2, manifest_unknown 1), 2 of 40
// layers (truncated 1, network 1, retryable)" and then, when `first` > 0, up to
// `first` image rows and `first` layer rows with their errors, and a line
// saying how to see them all. No lines when nothing failed.
std::vector<std::string> failure_summary_lines(const FailureList& failures, std::size_t first);

// The end of a run: the summary lines, then where the full list is.
class RunLog;
struct CensusResults;
void log_failure_summary(const CensusResults& results, const std::string& out_path, const RunLog& log);

// Every failed row: "image REF  STATUS  ERROR" / "layer DIGEST  STATUS  ERROR".
std::vector<std::string> failure_rows(const FailureList& failures);

// {"images": N, "layers": N, "image_failures": {status: n}, "layer_failures": {...},
//  "failed_images": [{"reference", "status", "retryable", "error"}], "failed_layers": [{"digest", ...}]}
std::string failures_json(const FailureList& failures);

}  // namespace regcensus
