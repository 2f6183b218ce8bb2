#include "regcensus/cli/option_parsing.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

namespace po = boost::program_options;

namespace regcensus::cli {

bool parse_options(int argc, char** argv, const po::options_description& options, po::variables_map& values,
                   const po::positional_options_description* positional, const po::options_description* shown) {
    try {
        po::command_line_parser parser(argc, argv);
        parser.options(options);
        if (positional) parser.positional(*positional);
        po::store(parser.run(), values);
        if (values.count("help")) {
            std::cout << (shown ? *shown : options) << "\n";
            return false;
        }
        if (values.count("config")) {
            const auto path = values["config"].as<std::string>();
            std::ifstream file(path);
            if (!file) throw UsageError("cannot read job file " + path);
            po::store(po::parse_config_file(file, options, true), values);
        }
        po::notify(values);
    } catch (const po::error& error) {
        throw UsageError(error.what());
    }
    return true;
}

Platform parse_platform_option(const std::string& text) {
    try {
        return Platform::parse(text);
    } catch (const std::invalid_argument& error) {
        throw UsageError(std::string("--platform: ") + error.what());
    }
}

}  // namespace regcensus::cli
