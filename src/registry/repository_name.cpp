#include "regcensus/registry/repository_name.hpp"

#include <algorithm>

namespace regcensus {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
// ASCII only: std::isalnum would follow the locale.
bool is_word(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_'; }

}  // namespace

bool is_repository_path_component(std::string_view component) {
    size_t at = 0;
    auto alnum_run = [&] {
        const size_t start = at;
        while (at < component.size() && is_lower_alnum(component[at])) ++at;
        return at > start;
    };
    if (!alnum_run()) return false;
    while (at < component.size()) {
        const char c = component[at];
        if (c == '.') {
            ++at;
        } else if (c == '_') {
            ++at;
            if (at < component.size() && component[at] == '_') ++at;
        } else if (c == '-') {
            while (at < component.size() && component[at] == '-') ++at;
        } else {
            return false;
        }
        if (!alnum_run()) return false;
    }
    return true;
}

bool is_repository_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxRepositoryNameLength) return false;
    size_t start = 0;
    while (true) {
        const size_t slash = name.find('/', start);
        if (!is_repository_path_component(name.substr(start, slash - start))) return false;
        if (slash == std::string_view::npos) return true;
        start = slash + 1;
    }
}

bool is_tag_name(std::string_view tag) {
    if (tag.empty() || tag.size() > kMaxTagNameLength || !is_word(tag.front())) return false;
    return std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

}  // namespace regcensus
