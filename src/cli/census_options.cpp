#include "census_options.hpp"
#include "regcensus/cli/byte_size.hpp"
#include "output_check.hpp"
#include "regcensus/cli/option_parsing.hpp"

#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>
#include <regex>

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

// A census reads one source of images; two named at once is a mistake to
// refuse, never a choice to make for the user.
void refuse_contradicting_sources(const CensusOptions& o) {
    std::vector<std::string> given;
    if (!o.registry_url.empty()) given.push_back("--registry");
    if (!o.layout_dir.empty()) given.push_back("--layout");
    if (!o.storage_dir.empty()) given.push_back("--storage");
    if (given.size() > 1)
        throw UsageError(given[0] + " and " + given[1] + " contradict each other: give one source of images");
}

std::string join_command_line(int argc, char** argv) {
    std::string line = "regcensus";
    for (int i = 0; i < argc; ++i) {
        line += ' ';
        line += argv[i];
    }
    return line;
}

// A URL's user:password@ never reaches logs or results.
std::string without_credentials(const std::string& text) {
    static const std::regex userinfo(R"(([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]*@)");
    return std::regex_replace(text, userinfo, "$1");
}

const char* usage(CensusCommand command) {
    switch (command) {
        case CensusCommand::run: return "regcensus run: take a census of a registry into one HDF5 results file";
        case CensusCommand::plan: return "regcensus plan: resolve the image list and cut layer shards (no analysis)";
        case CensusCommand::merge: return "regcensus merge: write the results file from a work directory's shards";
    }
    return "";
}

}  // namespace

std::optional<CensusOptions> parse_census_options(int argc, char** argv, CensusCommand command) {
    CensusOptions o;
    std::string platform = "linux/amd64", shards;
    bool insecure = false;
    // Sizes take units (byte_size.hpp); counts are read signed so that a
    // negative one is refused instead of wrapping around.
    ByteSize shard_bytes{0}, memory_per_rank{o.memory_per_rank},
        max_layer_bytes{uint64_t(o.limits.max_layer_bytes)}, min_transfer_rate{uint64_t(o.min_transfer_rate)};
    int64_t top = int64_t(o.top_rows);
    const bool plans = command != CensusCommand::merge;
    const bool analyses = command == CensusCommand::run;
    const bool writes = command != CensusCommand::plan;

    po::options_description options(usage(command));
    options.add_options()("help,h", "show this help")(
        "config", po::value<std::string>(), "job file: `key = value` lines, keys are the long option names")(
        "work", po::value(&o.work_dir)->required(), "work directory: plan, shards, manifests and configs");
    if (plans)
        options.add_options()("registry", po::value(&o.registry_url),
                              "registry base URL, e.g. https://registry-1.docker.io or http://127.0.0.1:5000")(
            "layout", po::value(&o.layout_dir), "read images from this OCI image layout (regcensus fetch) instead")(
            "storage", po::value(&o.storage_dir),
            "read images from this distribution registry storage root (holding docker/registry/v2) instead; "
            "without --images every repository and tag it holds (docs/storage.md)")(
            "untagged", po::bool_switch(&o.untagged),
            "--storage without --images: also a row (status untagged) per manifest no tag names")(
            "auth-file", po::value(&o.auth_file),
            "docker config.json with credentials (default: $REGISTRY_AUTH_FILE, $DOCKER_CONFIG, ~/.docker)")(
            "max-requests-per-second", po::value(&o.max_requests_per_second)->default_value(0),
            "cap on requests per second to the registry, per process (0: none)")(
            "all-platforms", po::bool_switch(&o.all_platforms), "one /images row per platform of an index")(
            "images", po::value(&o.images_path), "image list, one reference per line (required but with --storage)")(
            "platform", po::value(&platform)->default_value(platform), "platform chosen from an index: os/arch[/variant]")(
            "shard-bytes", po::value(&shard_bytes)->default_value(shard_bytes, "auto"),
            "compressed layer bytes per shard, the unit of resume and of Slurm array tasks (auto: about 8 "
            "shards per rank, within 16 MiB to 1 GiB; fixed in the plan once made)")(
            "retries", po::value(&o.retries)->default_value(o.retries), "retries of a failed request")(
            "stall-timeout", po::value(&o.stall_timeout_s)->default_value(o.stall_timeout_s),
            "seconds without a byte after which a transfer fails (and is retried); time the analysis holds "
            "a transfer back does not count")(
            "min-transfer-rate", po::value(&min_transfer_rate)->default_value(min_transfer_rate, format_byte_size(min_transfer_rate.bytes)),
            "size per second: a transfer fails when not finished within stall-timeout + size / this")(
            "accept-plan", po::bool_switch(&o.accept_plan),
            "continue the saved plan of --work although --registry, --layout, --images (path or content), "
            "--platform, --all-platforms or --shard-bytes differ from its own (warned; /provenance records the plan's)")(
            "insecure-skip-tls-verify", po::bool_switch(&insecure), "do not verify TLS certificates (never the default)");
    if (writes)
        options.add_options()("out", po::value(&o.out_path)->required(), "results file to write (HDF5)")(
            "top", po::value(&top)->default_value(top), "rows of /dedup/top")(
            "memory-per-rank", po::value(&memory_per_rank)->default_value(memory_per_rank, format_byte_size(memory_per_rank.bytes)),
            "size of content records a rank holds in the duplicate index before spilling sorted runs to --work")(
            "files", po::bool_switch(&o.files),
            "write /files: one row per tar entry of every layer (large), as piece files beside --out that "
            "results.h5 joins without copying (OUT.files/)")(
            "files-copy", po::bool_switch(&o.files_copy),
            "write /files copied into --out itself, a self-contained file (implies --files; slower: rank 0 copies every row)");
    if (analyses)
        options.add_options()("resume", po::bool_switch(&o.resume), "continue the run of --work: finished shards are skipped")(
            "retry-failed", po::bool_switch(&o.retry_failed),
            "redo the images and layers whose status is a retryable failure (network, rate_limited, 5xx)")(
            "shards", po::value(&shards), "analyse only these shards (e.g. 3,17,40-45) and write no results file")(
            "concurrency", po::value(&o.concurrency)->default_value(o.concurrency),
            "layers analysed at once per rank (their transfers share one pool of keep-alive connections)")(
            "progress", po::value(&o.progress_seconds)->default_value(o.progress_seconds),
            "seconds between progress lines (0: none)")(
            "max-layer-bytes", po::value(&max_layer_bytes)->default_value(max_layer_bytes, format_byte_size(max_layer_bytes.bytes)),
            "largest decompressed layer analysed (a size); larger ones get status too_large")(
            "max-ratio", po::value(&o.limits.max_ratio)->default_value(o.limits.max_ratio),
            "largest decompressed/compressed ratio before a layer counts as a decompression bomb");

    po::variables_map vm;
    if (!parse_options(argc, argv, options, vm)) return std::nullopt;

    if (plans && o.registry_url.empty() && o.layout_dir.empty() && o.storage_dir.empty())
        throw UsageError("give --registry URL, --layout DIR (a stored OCI image layout) or --storage DIR (a registry's storage)");
    if (plans) refuse_contradicting_sources(o);
    if (plans && o.images_path.empty() && o.storage_dir.empty())
        throw UsageError("the option '--images' is required (but with --storage, which lists the storage)");
    if (o.untagged && (o.storage_dir.empty() || !o.images_path.empty()))
        throw UsageError("--untagged lists a storage's untagged manifests: give it with --storage and without --images");
    o.platform = parse_platform_option(platform);
    o.tls_verify = !insecure;
    if (!shards.empty()) o.shards = parse_shard_list(shards);
    o.shard_bytes = int64_t(shard_bytes.bytes);
    o.memory_per_rank = memory_per_rank.bytes;
    o.limits.max_layer_bytes = int64_t(max_layer_bytes.bytes);
    o.min_transfer_rate = double(min_transfer_rate.bytes);
    if (plans && o.registry_url.empty())
        for (const char* registry_only : {"auth-file", "max-requests-per-second", "insecure-skip-tls-verify"})
            if (vm.count(registry_only) && !vm[registry_only].defaulted())
                throw UsageError(std::string("--") + registry_only + " applies to --registry, not to " +
                                 (o.layout_dir.empty() ? "--storage" : "--layout"));
    if (analyses && o.concurrency < 1) throw UsageError("--concurrency must be at least 1");
    if (plans && o.retries < 0) throw UsageError("--retries must be 0 or more");
    if (analyses && o.progress_seconds < 0) throw UsageError("--progress must be 0 (none) or more seconds");
    if (analyses && o.limits.max_layer_bytes < 1) throw UsageError("--max-layer-bytes must be positive");
    if (analyses && !(o.limits.max_ratio > 0)) throw UsageError("--max-ratio must be positive");
    if (writes && top < 1) throw UsageError("--top must be at least 1");
    if (writes && o.memory_per_rank < 1) throw UsageError("--memory-per-rank must be positive");
    if (plans && o.max_requests_per_second < 0)
        throw UsageError("--max-requests-per-second must be 0 (no cap) or more");
    o.top_rows = std::size_t(top);
    if (!(o.stall_timeout_s > 0) || !(o.min_transfer_rate > 0))
        throw UsageError("--stall-timeout and --min-transfer-rate must be positive");
    // Found now, not after hours of analysis (a run with --shards writes no results file).
    if (writes && !o.shards) check_output_writable("--out", o.out_path);
    o.command_line = without_credentials(join_command_line(argc, argv));
    o.parameters = {{"registry", without_credentials(o.registry_url)},
                    {"layout", o.layout_dir},
                    {"storage", o.storage_dir},
                    {"untagged", o.untagged ? "true" : "false"},
                    {"all_platforms", o.all_platforms ? "true" : "false"},
                    {"images", o.images_path},
                    {"platform", o.platform.str()},
                    {"shard_bytes", o.shard_bytes > 0 ? std::to_string(o.shard_bytes) : "auto"},
                    {"max_layer_bytes", std::to_string(o.limits.max_layer_bytes)},
                    {"max_ratio", std::to_string(o.limits.max_ratio)},
                    {"top", std::to_string(o.top_rows)}};
    return o;
}

}  // namespace regcensus::cli
