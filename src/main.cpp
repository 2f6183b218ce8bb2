// The `regcensus` program: one binary, one subcommand per task.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string_view>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/cli/version_info.hpp"
#include "regcensus/mpi/failure_policy.hpp"
#include "regcensus/util/log.hpp"

namespace {

struct Subcommand {
    std::string_view name;
    int (*entry)(int, char**);
    std::string_view summary;
};

constexpr Subcommand kSubcommands[] = {
    {"run", regcensus::cli::run_command, "take a census: image list -> results.h5 (run under mpirun)"},
    {"analyze-layer", regcensus::cli::analyze_layer_command, "print the profile of layer blobs as JSON"},
    {"report", regcensus::cli::report_command, "print the headline figures of a results file"},
    {"synth", regcensus::cli::synth_command, "generate the deterministic test corpus and its ground truth"},
    {"push", regcensus::cli::push_command, "push an OCI image layout into a registry"},
    {"fetch", regcensus::cli::fetch_command, "download images into an OCI image layout (under mpirun)"},
    {"crawl", regcensus::cli::crawl_command, "list the images of a v2 registry or of Docker Hub"},
    {"plan", regcensus::cli::plan_command, "resolve the image list and cut layer shards, without analysing"},
    {"merge", regcensus::cli::merge_command, "write results.h5 from the shard files of a work directory"},
    {"status", regcensus::cli::status_command, "shards done, failed and pending in a work directory"},
};

void print_usage(std::FILE* out) {
    std::fprintf(out, "usage: regcensus <command> [options]   (regcensus <command> --help)\n\ncommands:\n");
    std::fprintf(out, "  (every command also takes -q/--quiet, -v/--verbose and --log-format text|json: docs/logging.md)\n");
    for (const auto& c : kSubcommands)
        std::fprintf(out, "  %-14.*s %.*s\n", int(c.name.size()), c.name.data(), int(c.summary.size()),
                     c.summary.data());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (std::strcmp(argv[1], "--version") == 0) {
        std::fputs(regcensus::cli::version_text().c_str(), stdout);
        return 0;
    }
    for (const auto& c : kSubcommands) {
        if (c.name == argv[1]) {
            // An exception nobody caught (in a thread, say) ends the job with one
            // line instead of a core-dumping abort that leaves ranks hanging.
            regcensus::mpi::set_failure_command(argv[1]);
            regcensus::mpi::install_terminate_policy();
            try {
                // -q, -v and --log-format are taken by every subcommand, here, once.
                auto log = regcensus::take_log_options(argc, argv, 2);
                log.command = argv[1];
                regcensus::configure_log(log);
            } catch (const std::invalid_argument& e) {
                std::fprintf(stderr, "regcensus %s: %s\n", argv[1], e.what());
                return 2;
            }
            try {
                return c.entry(argc - 1, argv + 1);
            } catch (const regcensus::cli::UsageError& e) {
                std::fprintf(stderr, "regcensus %s: %s\n(regcensus %s --help lists the options)\n", argv[1], e.what(),
                             argv[1]);
                return 2;
            } catch (const std::exception& e) {
                std::fprintf(stderr, "regcensus %s: error: %s\n", argv[1], e.what());
                return 1;
            }
        }
    }
    std::fprintf(stderr, "regcensus: unknown command '%s'\n", argv[1]);
    print_usage(stderr);
    return 2;
}
