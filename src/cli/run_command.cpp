// `regcensus run`: the census, under mpirun (or as a single process).
#include <boost/program_options.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "regcensus/cli/commands.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/pipeline/census.hpp"

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

}  // namespace

int run_command(int argc, char** argv) {
    po::options_description options("regcensus run: take a census of a registry into one HDF5 results file");
    std::string platform = "linux/amd64";
    std::string config_path;
    CensusOptions census;
    int64_t max_layer_bytes = census.limits.max_layer_bytes;
    double max_ratio = census.limits.max_ratio;
    bool insecure = false;
    options.add_options()
        ("help,h", "show this help")
        ("config", po::value(&config_path), "job file (key = value, keys are the long option names)")
        ("registry", po::value(&census.registry_url)->required(),
         "registry base URL, e.g. https://registry-1.docker.io or http://127.0.0.1:5000")
        ("images", po::value(&census.images_path)->required(), "image list, one reference per line")
        ("out", po::value(&census.out_path)->required(), "results file to write (HDF5)")
        ("work", po::value(&census.work_dir)->required(), "work directory (manifests, configs, plan)")
        ("platform", po::value(&platform)->default_value(platform), "platform chosen from an index: os/arch[/variant]")
        ("retries", po::value(&census.retries)->default_value(census.retries), "retries of a failed request")
        ("max-layer-bytes", po::value(&max_layer_bytes)->default_value(max_layer_bytes),
         "largest decompressed layer analysed (bytes); larger ones get status too_large")
        ("max-ratio", po::value(&max_ratio)->default_value(max_ratio),
         "largest decompressed/compressed ratio before a layer counts as a decompression bomb")
        ("top", po::value(&census.top_rows)->default_value(census.top_rows), "rows of /dedup/top")
        ("insecure-skip-tls-verify", po::bool_switch(&insecure), "do not verify TLS certificates (never the default)");

    po::variables_map vm;
    po::store(po::parse_command_line(argc, argv, options), vm);
    if (vm.count("help")) {
        std::cout << options << "\n";
        return 0;
    }
    if (vm.count("config")) {
        std::ifstream file(vm["config"].as<std::string>());
        if (!file) throw std::runtime_error("cannot read job file " + vm["config"].as<std::string>());
        // Command-line values were stored first, so they win over the job file.
        po::store(po::parse_config_file(file, options), vm);
    }
    po::notify(vm);

    census.platform = Platform::parse(platform);
    census.tls_verify = !insecure;
    census.limits.max_layer_bytes = max_layer_bytes;
    census.limits.max_ratio = max_ratio;
    census.command_line = join_command_line(argc, argv);
    census.parameters = {{"registry", census.registry_url},   {"images", census.images_path},
                         {"platform", census.platform.str()}, {"max_layer_bytes", std::to_string(max_layer_bytes)},
                         {"max_ratio", std::to_string(max_ratio)}, {"top", std::to_string(census.top_rows)}};

    mpi::Session session(&argc, &argv);
    mpi::Communicator world;
    return run_census(census, world);
}

}  // namespace regcensus::cli
