#pragma once
// What a `run`, `plan` or `merge` is asked to do, shared by the phases (plan,
// analyse, merge) and the commands that fill it in (cli).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/manifest/manifest.hpp"

namespace regcensus {

// Exit codes a batch script can act on.
inline constexpr int kExitIncomplete = 75;     // stopped by a signal: rerun with --resume
inline constexpr int kExitMissingShards = 3;   // merge found shards without a file

struct CensusOptions {
    std::string registry_url;
    std::string images_path;
    std::string out_path;
    std::string work_dir;
    std::string layout_dir;  // read images from this OCI image layout instead of a registry
    std::string storage_dir;  // read images from this distribution registry's storage (docs/storage.md)
    bool untagged = false;    // --storage without --images: also rows for manifests no tag names
    std::string auth_file;   // docker config.json with credentials (see docs/registry-client.md)
    double max_requests_per_second = 0;  // per registry, over all ranks' threads of one process
    Platform platform{"linux", "amd64", ""};
    bool all_platforms = false;  // one /images row per platform of an index
    bool tls_verify = true;
    int retries = 3;
    double stall_timeout_s = 60;           // a transfer with no byte for this long fails (network)
    double min_transfer_rate = 64 << 10;   // bytes/s: deadline of a transfer = stall timeout + size / this
    LayerLimits limits;
    std::size_t top_rows = 1000;
    int64_t shard_bytes = 0;  // 0: automatic (see automatic_shard_bytes)
    int concurrency = 1;
    std::size_t memory_per_rank = std::size_t{2} << 30;  // the duplicate index spills to disk past this
    bool files = false;  // write /files: every tar entry of every layer (docs/union-view.md)
    bool files_copy = false;  // /files copied into the results file (implies files)
    double progress_seconds = 10;
    bool resume = false;
    bool retry_failed = false;
    bool accept_plan = false;  // continue a saved plan although this command's plan parameters differ
    std::optional<std::vector<int64_t>> shards;  // analyse only these, write no results
    std::string command_line;
    std::map<std::string, std::string> parameters;  // recorded in /provenance

    // Over HTTP, rather than from a layout or a registry's storage.
    bool from_registry() const { return layout_dir.empty() && storage_dir.empty(); }
};

}  // namespace regcensus
