// Placeholder until the subcommand lands; replaced by its real implementation.
#include <stdexcept>
#include "regcensus/cli/commands.hpp"
namespace regcensus::cli {
int status_command(int, char**) { throw std::runtime_error("not implemented yet"); }
}  // namespace regcensus::cli
