#include "regcensus/crawl/tag_selection.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace regcensus::crawl {

TagSelection parse_tag_selection(std::string_view text) {
    if (text == "latest") return {TagSelection::Kind::latest, 0};
    if (text == "all") return {TagSelection::Kind::all, 0};
    size_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || count == 0)
        throw std::invalid_argument("--tags must be latest, all or a positive number, not '" + std::string(text) +
                                    "'");
    return {TagSelection::Kind::most_recent, count};
}

std::vector<std::string> select_tags(const std::vector<std::string>& listed, const TagSelection& selection) {
    switch (selection.kind) {
        case TagSelection::Kind::all:
            return listed;
        case TagSelection::Kind::latest:
            if (std::find(listed.begin(), listed.end(), "latest") != listed.end()) return {"latest"};
            if (listed.empty()) return {};
            return {listed.back()};
        case TagSelection::Kind::most_recent: {
            const size_t keep = std::min(selection.count, listed.size());
            return std::vector<std::string>(listed.end() - static_cast<std::ptrdiff_t>(keep), listed.end());
        }
    }
    return {};
}

}  // namespace regcensus::crawl
