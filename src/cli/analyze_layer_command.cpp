// `regcensus analyze-layer`: runs the streaming layer analyser on local blob
// files and prints one JSON object per file (JSON Lines) with the /layers
// fields of the results contract, for debugging and for checking the analyser
// against ground truth without a registry.
#include <boost/program_options.hpp>
#include <sched.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <system_error>
#include <vector>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/cli/byte_size.hpp"
#include "regcensus/layer/file_type.hpp"
#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/util/file_byte_source.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus::cli {
namespace {

namespace po = boost::program_options;

std::string profile_json(const std::string& file, const LayerProfile& p) {
    JsonWriter json;
    json.begin_object()
        .member("file", file)
        .member("digest", p.digest)
        .member("media_type", p.media_type)
        .member("compression", p.compression)
        .member("status", p.status)
        .member("error", p.error)
        .member("compressed_bytes", p.compressed_bytes)
        .member("uncompressed_bytes", p.uncompressed_bytes)
        .member("file_count", p.file_count)
        .member("file_bytes", p.file_bytes)
        .member("dir_count", p.dir_count)
        .member("max_depth", p.max_depth)
        .member("symlink_count", p.symlink_count)
        .member("hardlink_count", p.hardlink_count)
        .member("other_count", p.other_count)
        .member("whiteout_count", p.whiteout_count)
        .member("opaque_count", p.opaque_count);
    json.key("file_types").begin_object();
    for (std::size_t t = 0; t < kFileTypeCount; ++t)
        if (p.type_files[t] != 0) json.member(file_type_name(static_cast<FileType>(t)), p.type_files[t]);
    json.end_object();
    json.end_object();
    return json.take();
}

}  // namespace

int analyze_layer_command(int argc, char** argv) {
    LayerExpectation expect;
    LayerLimits limits;
    std::vector<std::string> files;
    ByteSize max_layer_bytes{uint64_t(limits.max_layer_bytes)};

    po::options_description visible(
        "usage: regcensus analyze-layer [options] FILE...\n\n"
        "Analyses layer blobs (gzip, zstd or plain tar, detected from their first bytes)\n"
        "and prints one JSON object per file, one per line.\n\noptions");
    visible.add_options()
        ("help,h", "print this help")
        ("expect-digest", po::value(&expect.digest), "verify each blob against this digest (sha256:<hex>)")
        ("expect-size", po::value(&expect.size), "verify each blob's size in bytes")
        ("media-type", po::value(&expect.media_type), "media type to report (never used to decode)")
        ("max-layer-bytes", po::value(&max_layer_bytes)->default_value(max_layer_bytes, format_byte_size(max_layer_bytes.bytes)),
         "largest decompressed layer accepted (status too_large beyond)")
        ("max-ratio", po::value(&limits.max_ratio)->default_value(limits.max_ratio),
         "largest decompressed/compressed ratio accepted (status too_large beyond)");
    po::options_description hidden;
    hidden.add_options()("file", po::value(&files));
    po::options_description all;
    all.add(visible).add(hidden);
    po::positional_options_description positional;
    positional.add("file", -1);

    po::variables_map vm;
    // The positional FILE is in the usage line, not among the listed options.
    if (!parse_options(argc, argv, all, vm, &positional, &visible)) return 0;
    if (files.empty()) throw UsageError("give at least one layer blob FILE");
    limits.max_layer_bytes = int64_t(max_layer_bytes.bytes);
    if (limits.max_layer_bytes < 1) throw UsageError("--max-layer-bytes must be positive");
    if (!(limits.max_ratio > 0)) throw UsageError("--max-ratio must be positive");
    // One layer at a time here: if this process may use a second CPU, the
    // inflate gets a thread of its own, apart from reading, hashing and the tar walk.
    cpu_set_t cpus;
    limits.use_spare_core = sched_getaffinity(0, sizeof cpus, &cpus) == 0 && CPU_COUNT(&cpus) > 1;

    int exit_code = 0;
    for (const auto& file : files) {
        try {
            FileByteSource source(file);
            const LayerAnalysis analysis = analyze_layer(source, expect, limits);
            std::cout << profile_json(file, analysis.profile) << '\n' << std::flush;
        } catch (const std::system_error& error) {
            std::cerr << "regcensus analyze-layer: " << error.what() << '\n';
            exit_code = 1;
        }
    }
    return exit_code;
}

}  // namespace regcensus::cli
