#pragma once
// One line of the image list a crawl writes, and where it was found (the
// origin orders duplicates: the first occurrence in crawl order wins).
#include <compare>
#include <cstdint>
#include <string>

namespace regcensus::crawl {

struct CrawlRow {
    std::string reference;     // relative to the registry crawled: "library/nginx:latest", "team/app:v2"
    int64_t pull_count = -1;   // -1: unknown (registries other than Docker Hub do not count pulls)
    int64_t star_count = -1;
    std::string last_updated;  // as the Hub gives it (ISO 8601), "" when unknown
    bool is_official = false;
    std::string source;        // the listing that found it: "catalog", "namespace:library", "search:ngi"
};

// The crawl order of a row: listings rank first (official images, then
// namespaces, then searches; the catalog, then tags), then the listing's name,
// the page, the position in the page. Independent of thread timing.
struct RowOrigin {
    int rank = 0;
    std::string task;
    int64_t page = 0;
    int64_t position = 0;
    auto operator<=>(const RowOrigin&) const = default;
};

struct FoundRow {
    RowOrigin origin;
    CrawlRow row;
};

// What the Hub's repository info (GET /v2/repositories/{ns}/{name}/) said about
// a repository found only by search. `found` is false after a 404: the search
// values are kept and last_updated stays empty.
struct RepositoryInfo {
    std::string reference;     // "ns/name:latest", as the rows name it
    bool found = false;
    int64_t pull_count = -1;
    int64_t star_count = -1;
    std::string last_updated;
    auto operator<=>(const RepositoryInfo&) const = default;
};

}  // namespace regcensus::crawl
