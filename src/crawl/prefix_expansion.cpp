#include "regcensus/crawl/prefix_expansion.hpp"

namespace regcensus::crawl {

bool hit_page_cap(int64_t announced_count, int64_t results_seen) {
    return announced_count >= 0 && results_seen < announced_count;
}

std::vector<std::string> expand_prefix(std::string_view query, std::string_view alphabet, size_t max_length) {
    std::vector<std::string> prefixes;
    if (query.size() >= max_length) return prefixes;
    prefixes.reserve(alphabet.size());
    for (char c : alphabet) {
        std::string prefix(query);
        prefix += c;
        prefixes.push_back(std::move(prefix));
    }
    return prefixes;
}

}  // namespace regcensus::crawl
