#pragma once
// Which tags of a repository a catalog crawl writes (`--tags latest|all|N`).
// "Most recent by listing order" means the last N tags in the order the
// registry lists them (all pages concatenated). The Registry API promises no
// order in time, and registries differ (CNCF distribution 2.8 on a filesystem
// lists in its storage's directory order); knowing the push time would cost a
// manifest and a config request per tag, which a listing must not.
#include <string>
#include <string_view>
#include <vector>

namespace regcensus::crawl {

struct TagSelection {
    enum class Kind { latest, all, most_recent } kind = Kind::all;
    size_t count = 0;  // for most_recent
};

// "latest", "all", or a positive whole number; throws std::invalid_argument otherwise.
TagSelection parse_tag_selection(std::string_view text);

// latest: the tag "latest" when listed, else the last listed tag (a repository
// without "latest" still gets one image); all: every tag in listing order;
// N: the last N listed, in listing order.
std::vector<std::string> select_tags(const std::vector<std::string>& listed, const TagSelection& selection);

}  // namespace regcensus::crawl
