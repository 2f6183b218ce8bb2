#pragma once
// `regcensus synth`: writes the deterministic test corpus (an OCI image
// layout), the image list for `regcensus run`, and the ground truth.
#include <cstdint>
#include <filesystem>

namespace regcensus::synth {

struct SynthOptions {
    std::filesystem::path out_dir;
    uint64_t seed = 42;
    int images = 24;
    double scale = 1.0;
    bool force = false;  // replace an earlier corpus in out_dir
};

struct SynthSummary {
    int64_t images = 0;        // pushed images (repositories)
    int64_t references = 0;    // rows of images.txt, the missing one included
    int64_t layers_written = 0;
    int64_t layers_analysed = 0;
    int64_t files_analysed = 0;
    int64_t compressed_bytes = 0;    // of the analysed layers
    int64_t uncompressed_bytes = 0;  // of the analysed layers
};

SynthSummary generate_corpus(const SynthOptions& options);

}  // namespace regcensus::synth
