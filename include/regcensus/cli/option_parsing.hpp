#pragma once
// Command-line parsing shared by the subcommands: argv first, then the job file
// of `--config FILE` (Boost.Program_options config syntax, keys = long option
// names), so values on the command line win. Keys a subcommand does not take
// are allowed in a job file: one file serves run, plan, merge, status and crawl.
#include <boost/program_options.hpp>

namespace regcensus::cli {

// Fills `values` and runs notify(); returns false when --help was asked for
// (the help text is printed then). Throws on bad options or an unreadable job file.
bool parse_options(int argc, char** argv, const boost::program_options::options_description& options,
                   boost::program_options::variables_map& values,
                   const boost::program_options::positional_options_description* positional = nullptr);

}  // namespace regcensus::cli
