// `regcensus run`, `plan` and `merge`: the census under mpirun (or as a single
// process). They take the same options (census_options) and differ only in the
// pipeline step they call.
#include "census_options.hpp"
#include "regcensus/cli/commands.hpp"
#include "regcensus/mpi/communicator.hpp"
#include "regcensus/mpi/failure_policy.hpp"

namespace regcensus::cli {

namespace {

using CensusStep = int (*)(const CensusOptions&, const mpi::Communicator&);

int census_command(int argc, char** argv, CensusCommand command, CensusStep step) {
    // Usage errors come before MPI and before any collective, the same on every
    // rank: they stay exit 2 (main's handler) and need no abort.
    auto options = parse_census_options(argc, argv, command);
    if (!options) return 0;
    mpi::Session session(&argc, &argv);
    return mpi::run_collectively([&] { return step(*options, mpi::Communicator()); });
}

}  // namespace

// Image list -> results file.
int run_command(int argc, char** argv) { return census_command(argc, argv, CensusCommand::run, run_census); }

// Resolve the image list and cut shards into the work directory.
int plan_command(int argc, char** argv) { return census_command(argc, argv, CensusCommand::plan, plan_census); }

// The results file from the shard files of a work directory.
int merge_command(int argc, char** argv) { return census_command(argc, argv, CensusCommand::merge, merge_census); }

}  // namespace regcensus::cli
