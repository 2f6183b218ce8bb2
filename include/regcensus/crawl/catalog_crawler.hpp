#pragma once
// A crawl of any Registry API v2 registry: `/v2/_catalog` page by page (each a
// checkpoint), then each repository's `tags/list` on several threads, following
// `Link: <...>; rel="next"` (relative targets resolved against the page URL) as
// ListingWalk allows: same origin only, no page twice, within the caps.
// Repository and tag names that are not valid per the distribution grammar are
// skipped (InvalidNames), never requested or journalled. Requests go through
// RegistryClient (one per worker, sharing one state): its retries, pacing,
// rate-limit pauses and authentication (--auth-file, docker config.json).
#include <cstdint>
#include <string>
#include <vector>

#include "regcensus/crawl/crawl_state.hpp"
#include "regcensus/crawl/growth_log.hpp"
#include "regcensus/crawl/tag_selection.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/registry/registry_client.hpp"

namespace regcensus::crawl {

struct CatalogCrawlOptions {
    // The registry ("http://127.0.0.1:5000"), its transport, pacing and credentials;
    // `page_size` is the `n` of _catalog and tags/list.
    RegistryOptions registry;
    TagSelection tags;
    int concurrency = 4;
    ListingLimits limits;  // per listing: the catalog, each repository's tags
};

struct CatalogCrawl {
    std::vector<FoundRow> rows;   // also those of earlier runs with the same state
    int64_t listings_cut = 0;     // walks stopped early (cycle, other origin, a cap): their names are kept
    int64_t listings_failed = 0;  // listings that failed (a page too large, an HTTP error): retried by a rerun
    int64_t names_skipped = 0;    // invalid repository and tag names
};

// Crawls until the catalog and every repository's tags are listed, references
// `repo:tag`. Throws DataError when the catalog's first page cannot be read.
CatalogCrawl crawl_catalog(const CatalogCrawlOptions& options, CrawlState& state, GrowthLog& growth);

}  // namespace regcensus::crawl
