// `regcensus synth`: the deterministic test corpus and its ground truth.
#include <boost/program_options.hpp>

#include <cstdio>

#include "regcensus/cli/commands.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/synth/corpus.hpp"

namespace regcensus::cli {

int synth_command(int argc, char** argv) {
    namespace po = boost::program_options;
    synth::SynthOptions options;
    std::string out;
    po::options_description described("regcensus synth --out DIR [options]\n\n"
                                      "Writes DIR/layout (an OCI image layout), DIR/images.txt and DIR/groundtruth.json.\n"
                                      "The same options give byte-identical output. Options");
    described.add_options()
        ("help,h", "show this help")
        ("out", po::value<std::string>(&out)->required(), "output directory")
        ("seed", po::value<uint64_t>(&options.seed)->default_value(42), "seed of every random choice")
        ("images", po::value<int>(&options.images)->default_value(24), "number of images (repositories) to generate")
        ("scale", po::value<double>(&options.scale)->default_value(1.0),
         "size factor: file sizes and counts grow with sqrt(scale), the corpus about linearly")
        ("force", po::bool_switch(&options.force), "replace a corpus already in --out");
    po::variables_map values;
    if (!parse_options(argc, argv, described, values)) return 0;
    if (options.images < 1) throw UsageError("--images must be at least 1");
    if (!(options.scale > 0)) throw UsageError("--scale must be positive");
    options.out_dir = out;
    const synth::SynthSummary summary = synth::generate_corpus(options);
    std::printf("synth: %lld images, %lld list rows, %lld layers written (%lld analysed: %lld files, "
                "%.1f MB compressed, %.1f MB uncompressed) in %s\n",
                static_cast<long long>(summary.images), static_cast<long long>(summary.references),
                static_cast<long long>(summary.layers_written), static_cast<long long>(summary.layers_analysed),
                static_cast<long long>(summary.files_analysed), summary.compressed_bytes / 1e6,
                summary.uncompressed_bytes / 1e6, out.c_str());
    return 0;
}

}  // namespace regcensus::cli
