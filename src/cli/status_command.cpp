// `regcensus status --work DIR`: shards done, failed and pending, with bytes.
// `--failed` prints only the shards to rerun, as a list `--shards` takes.
#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/pipeline/census_plan.hpp"
#include "regcensus/pipeline/shard_file.hpp"

namespace po = boost::program_options;

namespace regcensus::cli {

int status_command(int argc, char** argv) {
    std::string work_dir;
    bool failed_only = false, each_shard = false;
    po::options_description options("regcensus status --work DIR: the state of a run's shards");
    options.add_options()("help,h", "show this help")("config", po::value<std::string>(), "job file (reads `work`)")(
        "work", po::value(&work_dir)->required(), "work directory")(
        "failed", po::bool_switch(&failed_only), "print only the shards to rerun (pending or with retryable failures)")(
        "shards", po::bool_switch(&each_shard), "one line per shard");
    po::variables_map vm;
    if (!parse_options(argc, argv, options, vm)) return 0;

    const auto plan = load_plan(plan_path(work_dir));
    std::vector<int64_t> rerun;
    int64_t done = 0, pending = 0, with_failures = 0, done_bytes = 0, pending_bytes = 0, failed_layers = 0,
            retryable_layers = 0;
    for (const auto& shard : plan.shards) {
        if (!shard_exists(work_dir, shard.id)) {
            ++pending;
            pending_bytes += shard.bytes;
            rerun.push_back(shard.id);
            if (each_shard) std::printf("shard %5lld  pending  %zu layers  %lld bytes\n", (long long)shard.id,
                                        shard.digests.size(), (long long)shard.bytes);
            continue;
        }
        ++done;
        done_bytes += shard.bytes;
        int64_t failed = 0, retryable = 0;
        for (const auto& status : read_shard_statuses(shard_path(work_dir, shard.id))) {
            failed += status != "ok";
            retryable += is_retryable_status(status);
        }
        failed_layers += failed;
        retryable_layers += retryable;
        with_failures += failed > 0;
        if (retryable > 0) rerun.push_back(shard.id);
        if (each_shard)
            std::printf("shard %5lld  done     %zu layers  %lld bytes  %lld failed (%lld retryable)\n",
                        (long long)shard.id, shard.digests.size(), (long long)shard.bytes, (long long)failed,
                        (long long)retryable);
    }
    if (failed_only) {
        std::printf("%s\n", format_shard_list(rerun).c_str());
        return 0;
    }
    std::printf("work directory %s: %zu images, %lld layers in %zu shards\n", work_dir.c_str(), plan.images.size(),
                (long long)plan.layer_count(), plan.shards.size());
    std::printf("  done     %6lld shards  %12lld bytes  (%lld with failed layers: %lld failed, %lld retryable)\n",
                (long long)done, (long long)done_bytes, (long long)with_failures, (long long)failed_layers,
                (long long)retryable_layers);
    std::printf("  pending  %6lld shards  %12lld bytes\n", (long long)pending, (long long)pending_bytes);
    if (!rerun.empty()) std::printf("  rerun with: --resume --retry-failed, or --shards %s\n", format_shard_list(rerun).c_str());
    return 0;
}

}  // namespace regcensus::cli
