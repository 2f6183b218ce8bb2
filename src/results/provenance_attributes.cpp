#include "regcensus/results/provenance_attributes.hpp"

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace regcensus::h5 {
namespace {

// Typed by name, never by the look of a value: a path named "42" stays a path.
enum class Kind { integer, real, boolean };
struct TypedParameter {
    std::string_view name;
    Kind kind;
};
constexpr TypedParameter kTypedParameters[] = {
    {"shard_bytes", Kind::integer},  // "auto" when the plan chose (stays a string)
    {"shard_bytes_used", Kind::integer},
    {"max_layer_bytes", Kind::integer},
    {"top", Kind::integer},
    {"max_ratio", Kind::real},
    {"all_platforms", Kind::boolean},
    {"untagged", Kind::boolean},
};

std::optional<Kind> kind_of(std::string_view name) {
    for (const auto& typed : kTypedParameters)
        if (typed.name == name) return typed.kind;
    return std::nullopt;
}

template <typename Number>
std::optional<Number> whole_number(std::string_view text) {
    Number value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

}  // namespace

void write_provenance_attributes(const Location& group, const std::map<std::string, std::string>& parameters) {
    for (const auto& [name, value] : parameters) {
        const auto kind = kind_of(name);
        if (kind == Kind::integer) {
            if (const auto number = whole_number<int64_t>(value)) {
                group.set_attribute(name, *number);
                continue;
            }
        } else if (kind == Kind::real) {
            if (const auto number = whole_number<double>(value)) {
                group.set_float64_attribute(name, *number);
                continue;
            }
        } else if (kind == Kind::boolean && (value == "true" || value == "false")) {
            group.set_bool_attribute(name, value == "true");
            continue;
        }
        group.set_attribute(name, value);
    }
}

}  // namespace regcensus::h5
