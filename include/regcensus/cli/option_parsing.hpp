#pragma once
// Command-line parsing shared by the subcommands: argv first, then the job file
// of `--config FILE` (Boost.Program_options config syntax, keys = long option
// names), so values on the command line win. Keys a subcommand does not take
// are allowed in a job file: one file serves run, plan, merge, status and crawl.
#include <boost/program_options.hpp>

#include <stdexcept>
#include <string>

#include "regcensus/manifest/manifest.hpp"

namespace regcensus::cli {

// A bad invocation (unknown or malformed option, a missing required one, values
// that contradict each other): main prints it with a pointer to --help and
// exits with 2, so scripts can tell it from a failed run (1).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Fills `values` and runs notify(); returns false when --help was asked for
// (the help text, `shown` or else `options`, is printed then). Throws
// UsageError on bad options or an unreadable job file.
bool parse_options(int argc, char** argv, const boost::program_options::options_description& options,
                   boost::program_options::variables_map& values,
                   const boost::program_options::positional_options_description* positional = nullptr,
                   const boost::program_options::options_description* shown = nullptr);

// `--platform os/arch[/variant]`; a malformed value is a UsageError.
Platform parse_platform_option(const std::string& text);

}  // namespace regcensus::cli
