// `regcensus plan`: resolve the image list and cut shards into the work directory.
#include "regcensus/cli/census_options.hpp"
#include "regcensus/cli/commands.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus::cli {

int plan_command(int argc, char** argv) {
    auto options = parse_census_options(argc, argv, CensusCommand::plan);
    if (!options) return 0;
    mpi::Session session(&argc, &argv);
    return plan_census(*options, mpi::Communicator());
}

}  // namespace regcensus::cli
