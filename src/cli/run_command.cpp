// `regcensus run`: the census, under mpirun (or as a single process).
#include "regcensus/cli/census_options.hpp"
#include "regcensus/cli/commands.hpp"
#include "regcensus/mpi/communicator.hpp"

namespace regcensus::cli {

int run_command(int argc, char** argv) {
    auto options = parse_census_options(argc, argv, CensusCommand::run);
    if (!options) return 0;
    mpi::Session session(&argc, &argv);
    return run_census(*options, mpi::Communicator());
}

}  // namespace regcensus::cli
