#include "regcensus/cli/option_parsing.hpp"

#include <fstream>
#include <iostream>
#include <stdexcept>

#include "job_file_keys.hpp"

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

// `--auth-file --layout DIR` would take `--layout` as the file name: a value
// given as the next word that starts with "--" means the value was forgotten.
// (`--option=--value` stays possible for the rare value that needs it.)
void refuse_options_as_values(const po::parsed_options& parsed, const po::options_description& options) {
    for (const auto& option : parsed.options) {
        if (option.string_key.empty() || option.original_tokens.size() < 2) continue;
        const auto* description = options.find_nothrow(option.string_key, false);
        if (!description || description->semantic()->max_tokens() == 0) continue;
        for (const auto& value : option.value)
            if (value.rfind("--", 0) == 0)
                throw UsageError("--" + option.string_key + " is missing its value (the next word, '" + value +
                                 "', is an option)");
    }
}

// Positional words where a subcommand takes none (`run --work w extra`).
void refuse_stray_words(const po::parsed_options& parsed) {
    for (const auto& option : parsed.options)
        if (option.string_key.empty())
            throw UsageError("unexpected argument '" +
                             (option.original_tokens.empty() ? std::string() : option.original_tokens.front()) +
                             "' (every value follows its --option)");
}

void refuse_unknown_job_file_keys(const po::parsed_options& parsed, const std::string& path) {
    for (const auto& option : parsed.options) {
        if (!option.unregistered || is_job_file_key(option.string_key)) continue;
        const auto closest = closest_job_file_key(option.string_key);
        throw UsageError("job file " + path + ": unknown key '" + option.string_key + "'" +
                         (closest.empty() ? std::string() : " (did you mean '" + closest + "'?)"));
    }
}

}  // namespace

bool parse_options(int argc, char** argv, const po::options_description& options, po::variables_map& values,
                   const po::positional_options_description* positional, const po::options_description* shown) {
    try {
        po::command_line_parser parser(argc, argv);
        parser.options(options);
        if (positional) parser.positional(*positional);
        const auto parsed = parser.run();
        refuse_options_as_values(parsed, options);
        if (!positional) refuse_stray_words(parsed);
        po::store(parsed, values);
        if (values.count("help")) {
            std::cout << (shown ? *shown : options) << "\n"
                      << "Every command also takes -q/--quiet (warnings and errors only), -v/--verbose (debug lines:\n"
                         "each retry) and --log-format text|json (docs/logging.md). Sizes take units: 512MiB, 2G\n"
                         "(powers of 1024), 1.5GB (powers of 1000), or plain bytes (docs/cli.md).\n";
            return false;
        }
        if (values.count("config")) {
            const auto path = values["config"].as<std::string>();
            std::ifstream file(path);
            if (!file) throw UsageError("cannot read job file " + path);
            const auto from_file = po::parse_config_file(file, options, true);
            refuse_unknown_job_file_keys(from_file, path);
            po::store(from_file, values);
        }
        po::notify(values);
    } catch (const po::too_many_positional_options_error&) {
        throw UsageError("more arguments than the command takes (a value without its --option?)");
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
