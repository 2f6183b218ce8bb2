#include "regcensus/cli/byte_size.hpp"

#include <boost/program_options/errors.hpp>
#include <boost/program_options/value_semantic.hpp>

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace regcensus::cli {
namespace {

struct Unit {
    std::string_view name;
    double factor;
};

// Longest names first is not needed: the whole suffix is compared.
constexpr std::array<Unit, 13> kUnits{{{"", 1},
                                       {"b", 1},
                                       {"k", 1024.0},
                                       {"kib", 1024.0},
                                       {"m", 1048576.0},
                                       {"mib", 1048576.0},
                                       {"g", 1073741824.0},
                                       {"gib", 1073741824.0},
                                       {"t", 1099511627776.0},
                                       {"tib", 1099511627776.0},
                                       {"kb", 1e3},
                                       {"mb", 1e6},
                                       {"gb", 1e9}}};

}  // namespace

std::optional<uint64_t> parse_byte_size(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text.front())) || text.front() == '.'))
        return std::nullopt;
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || !std::isfinite(number) || number < 0) return std::nullopt;
    std::string unit(end, text.data() + text.size());
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    double factor = 0;
    for (const auto& u : kUnits)
        if (u.name == unit) factor = u.factor;
    if (unit == "tb") factor = 1e12;
    if (factor == 0) return std::nullopt;
    const double bytes = std::floor(number * factor);
    if (!(bytes < 9223372036854775808.0)) return std::nullopt;
    return static_cast<uint64_t>(bytes);
}

std::string format_byte_size(uint64_t bytes) {
    static constexpr std::array<std::string_view, 4> names{"TiB", "GiB", "MiB", "KiB"};
    if (bytes == 0) return "0";
    for (std::size_t i = 0; i < names.size(); ++i) {
        const uint64_t factor = uint64_t{1} << (10 * (names.size() - i));
        if (bytes % factor == 0) return std::to_string(bytes / factor) + std::string(names[i]);
    }
    return std::to_string(bytes);
}

void validate(boost::any& value, const std::vector<std::string>& texts, ByteSize*, int) {
    namespace po = boost::program_options;
    po::validators::check_first_occurrence(value);
    const std::string& text = po::validators::get_single_string(texts);
    const auto bytes = parse_byte_size(text);
    if (!bytes)
        throw po::error_with_option_name("%canonical_option% takes a size (a number with an optional unit: 512MiB, "
                                         "2G, 1.5GB, 4096), not '" + text + "'");
    value = ByteSize{*bytes};
}

}  // namespace regcensus::cli
