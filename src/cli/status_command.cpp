// `regcensus status --work DIR`: shards done, failed and pending, with bytes.
// `--failed` prints only the shards to rerun, as a list `--shards` takes.
// Shard files are validated (shard_file_problem): a bad one is shown as
// invalid and counted as pending; status only reads, the next run or merge
// moves it aside and redoes it.
#include <boost/program_options.hpp>

#include <cstdio>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/results/failure_output.hpp"
#include "regcensus/util/json_writer.hpp"
#include "regcensus/census/census_plan.hpp"
#include "regcensus/workdir/shard_file.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace regcensus::cli {
namespace {

// The plan of `work_dir`, or one error line naming the path and the cause.
CensusPlan plan_of(const std::string& work_dir) {
    if (!fs::exists(work_dir)) throw std::runtime_error(work_dir + ": no such work directory");
    if (!fs::is_directory(work_dir)) throw std::runtime_error(work_dir + ": not a directory");
    check_plan_file(work_dir);
    try {
        return load_plan(plan_path(work_dir));
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("cannot use the plan: ") + e.what());
    }
}

}  // namespace

int status_command(int argc, char** argv) {
    std::string work_dir;
    bool failed_only = false, each_shard = false, list_failures = false, json = false;
    po::options_description options("regcensus status --work DIR: the state of a run's shards");
    options.add_options()("help,h", "show this help")("config", po::value<std::string>(), "job file (reads `work`)")(
        "work", po::value(&work_dir)->required(), "work directory")(
        "failed", po::bool_switch(&failed_only), "print only the shards to rerun (pending or with retryable failures)")(
        "shards", po::bool_switch(&each_shard), "one line per shard")(
        "failures", po::bool_switch(&list_failures),
        "list every failed image (of the plan) and layer (of the shards done) with its status and error")(
        "json", po::bool_switch(&json), "print the state (or, with --failures, the failed rows) as one JSON object");
    po::variables_map vm;
    if (!parse_options(argc, argv, options, vm)) return 0;

    const auto plan = plan_of(work_dir);
    FailureList failures;
    for (const auto& image : plan.images) failures.add_image(image.reference, image.status, image.error);
    std::vector<int64_t> rerun;
    int64_t done = 0, pending = 0, invalid = 0, with_failures = 0, done_bytes = 0, pending_bytes = 0,
            failed_layers = 0, retryable_layers = 0;
    for (const auto& shard : plan.shards) {
        const auto path = shard_path(work_dir, shard.id);
        const bool exists = shard_exists(work_dir, shard.id);
        const auto problem = exists ? shard_file_problem(path, shard.id, shard.digests) : std::nullopt;
        if (!exists || problem) {
            ++pending;
            invalid += problem.has_value();
            pending_bytes += shard.bytes;
            rerun.push_back(shard.id);
            if (each_shard && problem)
                std::printf("shard %5lld  invalid  %zu layers  %lld bytes  (%s)\n", (long long)shard.id,
                            shard.digests.size(), (long long)shard.bytes, problem->c_str());
            else if (each_shard)
                std::printf("shard %5lld  pending  %zu layers  %lld bytes\n", (long long)shard.id,
                            shard.digests.size(), (long long)shard.bytes);
            continue;
        }
        ++done;
        done_bytes += shard.bytes;
        int64_t failed = 0, retryable = 0;
        for (const auto& layer : read_shard_profiles(path)) {
            failed += layer.status != "ok";
            retryable += is_retryable_status(layer.status);
            failures.add_layer(layer.digest, layer.status, layer.error);
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
    if (list_failures) return print_failures(failures, json);
    if (json) {
        JsonWriter out;
        out.begin_object();
        out.member("work", work_dir).member("images", int64_t(plan.images.size()));
        out.member("layers", plan.layer_count()).member("shards", int64_t(plan.shards.size()));
        out.key("done").begin_object();
        out.member("shards", done).member("bytes", done_bytes).member("shards_with_failed_layers", with_failures);
        out.member("failed_layers", failed_layers).member("retryable_layers", retryable_layers).end_object();
        out.key("pending").begin_object();
        out.member("shards", pending).member("bytes", pending_bytes).member("invalid", invalid).end_object();
        out.member("rerun_shards", format_shard_list(rerun));
        out.key("image_failures").begin_object();
        for (const auto& [status, n] : FailureList::counts(failures.failed_images)) out.member(status, n);
        out.end_object();
        out.key("layer_failures").begin_object();
        for (const auto& [status, n] : FailureList::counts(failures.failed_layers)) out.member(status, n);
        out.end_object();
        out.end_object();
        std::printf("%s\n", out.str().c_str());
        return 0;
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
    std::printf("  pending  %6lld shards  %12lld bytes", (long long)pending, (long long)pending_bytes);
    if (invalid > 0)
        std::printf("  (%lld invalid: shard files that do not validate, redone by the next run)", (long long)invalid);
    std::printf("\n");
    for (const auto& line : failure_summary_lines(failures, 0)) std::printf("  %s\n", line.c_str());
    if (!rerun.empty()) std::printf("  rerun with: --resume --retry-failed, or --shards %s\n", format_shard_list(rerun).c_str());
    return 0;
}

}  // namespace regcensus::cli
