#pragma once
// A crawl of any Registry API v2 registry: `/v2/_catalog` page by page (each a
// checkpoint), then each repository's `tags/list` on several threads, following
// `Link: <...>; rel="next"` (relative targets resolved against the page URL).
#include <string>
#include <vector>

#include "regcensus/crawl/crawl_state.hpp"
#include "regcensus/crawl/growth_log.hpp"
#include "regcensus/crawl/polite_http.hpp"
#include "regcensus/crawl/tag_selection.hpp"

namespace regcensus::crawl {

struct CatalogCrawlOptions {
    std::string registry_url;  // "http://127.0.0.1:5000"
    int page_size = 1000;      // `n` of _catalog and tags/list
    TagSelection tags;
    int concurrency = 4;
    PoliteHttpOptions http;
    double max_requests_per_second = 0;
};

// Crawls until the catalog and every repository's tags are listed; returns the
// rows (also those of earlier runs with the same state), references `repo:tag`.
std::vector<FoundRow> crawl_catalog(const CatalogCrawlOptions& options, CrawlState& state, GrowthLog& growth);

}  // namespace regcensus::crawl
