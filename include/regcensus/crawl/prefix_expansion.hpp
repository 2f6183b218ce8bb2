#pragma once
// Docker Hub's search stops paging after a cap (a query's `next` becomes null
// while fewer results than its `count` were served). A capped query is split into
// longer prefixes, query + one character, each of which matches fewer
// repositories, until every prefix fits under the cap or the maximum length is
// reached.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus::crawl {

// The characters of repository names: lowercase letters, digits, and the
// separators `-`, `_`, `.`.
inline constexpr std::string_view kRepositoryNameAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789-_.";

// Whether a finished query was cut short by the server's page cap.
bool hit_page_cap(int64_t announced_count, int64_t results_seen);

// `query` followed by each character of `alphabet`, in alphabet order; empty when
// `query` already has `max_length` characters (or more).
std::vector<std::string> expand_prefix(std::string_view query, std::string_view alphabet, size_t max_length);

}  // namespace regcensus::crawl
