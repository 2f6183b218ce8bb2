// `regcensus merge`: the results file from the shard files of a work directory.
#include "regcensus/cli/census_options.hpp"
#include "regcensus/cli/commands.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus::cli {

int merge_command(int argc, char** argv) {
    auto options = parse_census_options(argc, argv, CensusCommand::merge);
    if (!options) return 0;
    mpi::Session session(&argc, &argv);
    return merge_census(*options, mpi::Communicator());
}

}  // namespace regcensus::cli
