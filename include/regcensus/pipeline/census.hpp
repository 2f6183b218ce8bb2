#pragma once
// One `regcensus run`: plan (resolve images), analyse (each distinct layer once,
// on its owner rank), reduce (profiles to rank 0, duplicate index by hash owner)
// and write results.h5 from rank 0.
#include <cstdint>
#include <map>
#include <string>

#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/manifest/manifest.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus {

struct CensusOptions {
    std::string registry_url;
    std::string images_path;
    std::string out_path;
    std::string work_dir;
    Platform platform{"linux", "amd64", ""};
    bool tls_verify = true;
    int retries = 3;
    LayerLimits limits;
    std::size_t top_rows = 1000;
    std::string command_line;
    std::map<std::string, std::string> parameters;  // recorded in /provenance
};

// Collective over `comm`. Returns the process exit code (0 also when rows failed).
int run_census(const CensusOptions& options, const mpi::Communicator& comm);

}  // namespace regcensus
