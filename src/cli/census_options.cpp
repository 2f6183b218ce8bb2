#include "regcensus/cli/census_options.hpp"
#include "regcensus/cli/option_parsing.hpp"

#include <boost/program_options.hpp>

#include <fstream>
#include <iostream>
#include <regex>

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

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
            "shard-bytes", po::value(&o.shard_bytes)->default_value(0, "auto"),
            "compressed layer bytes per shard, the unit of resume and of Slurm array tasks (auto: about 8 "
            "shards per rank, within 16 MiB to 1 GiB; fixed in the plan once made)")(
            "retries", po::value(&o.retries)->default_value(o.retries), "retries of a failed request")(
            "stall-timeout", po::value(&o.stall_timeout_s)->default_value(o.stall_timeout_s),
            "seconds without a byte after which a transfer fails (and is retried); time the analysis holds "
            "a transfer back does not count")(
            "min-transfer-rate", po::value(&o.min_transfer_rate)->default_value(o.min_transfer_rate),
            "bytes/s: a transfer fails when not finished within stall-timeout + size / this")(
            "accept-plan", po::bool_switch(&o.accept_plan),
            "continue the saved plan of --work although --registry, --layout, --images (path or content), "
            "--platform, --all-platforms or --shard-bytes differ from its own (warned; /provenance records the plan's)")(
            "insecure-skip-tls-verify", po::bool_switch(&insecure), "do not verify TLS certificates (never the default)");
    if (writes)
        options.add_options()("out", po::value(&o.out_path)->required(), "results file to write (HDF5)")(
            "top", po::value(&o.top_rows)->default_value(o.top_rows), "rows of /dedup/top")(
            "memory-per-rank", po::value(&o.memory_per_rank)->default_value(o.memory_per_rank),
            "bytes of content records a rank holds in the duplicate index before spilling sorted runs to --work")(
            "files", po::bool_switch(&o.files), "write /files: one row per tar entry of every layer (large)");
    if (analyses)
        options.add_options()("resume", po::bool_switch(&o.resume), "continue the run of --work: finished shards are skipped")(
            "retry-failed", po::bool_switch(&o.retry_failed),
            "redo the images and layers whose status is a retryable failure (network, rate_limited, 5xx)")(
            "shards", po::value(&shards), "analyse only these shards (e.g. 3,17,40-45) and write no results file")(
            "concurrency", po::value(&o.concurrency)->default_value(o.concurrency),
            "layers analysed at once per rank (their transfers share one pool of keep-alive connections)")(
            "progress", po::value(&o.progress_seconds)->default_value(o.progress_seconds),
            "seconds between progress lines (0: none)")(
            "max-layer-bytes", po::value(&o.limits.max_layer_bytes)->default_value(o.limits.max_layer_bytes),
            "largest decompressed layer analysed (bytes); larger ones get status too_large")(
            "max-ratio", po::value(&o.limits.max_ratio)->default_value(o.limits.max_ratio),
            "largest decompressed/compressed ratio before a layer counts as a decompression bomb");

    po::variables_map vm;
    if (!parse_options(argc, argv, options, vm)) return std::nullopt;

    if (plans && o.registry_url.empty() && o.layout_dir.empty() && o.storage_dir.empty())
        throw UsageError("give --registry URL, or --layout DIR to read a stored OCI image layout");
    if (plans && int(!o.registry_url.empty()) + int(!o.layout_dir.empty()) + int(!o.storage_dir.empty()) > 1)
        throw UsageError("give one source: --registry, --layout or --storage");
    if (plans && o.images_path.empty() && o.storage_dir.empty())
        throw UsageError("the option '--images' is required (but with --storage, which lists the storage)");
    if (o.untagged && (o.storage_dir.empty() || !o.images_path.empty()))
        throw UsageError("--untagged lists a storage's untagged manifests: give it with --storage and without --images");
    o.platform = parse_platform_option(platform);
    o.tls_verify = !insecure;
    if (!shards.empty()) o.shards = parse_shard_list(shards);
    if (o.shard_bytes < 0) throw UsageError("--shard-bytes must be positive (or 0: automatic)");
    if (!(o.stall_timeout_s > 0) || !(o.min_transfer_rate > 0))
        throw UsageError("--stall-timeout and --min-transfer-rate must be positive");
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
