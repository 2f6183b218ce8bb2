#pragma once
// A crawl of Docker Hub: official images (namespace `library`), the
// repositories of chosen namespaces, and a search fan-out over query terms with
// prefix expansion of capped queries. Listings are worked on by several threads,
// each page is a checkpoint of the CrawlState.
#include <string>
#include <vector>

#include "regcensus/crawl/crawl_state.hpp"
#include "regcensus/crawl/growth_log.hpp"
#include "regcensus/registry/http_session.hpp"

namespace regcensus::crawl {

// The Hub's defaults: 5 retries of failures, 20 of 429s, pauses up to 900 s.
HttpPolicy hub_transport_policy();

struct HubCrawlOptions {
    std::string hub_url = "https://hub.docker.com";
    bool official = true;                  // list namespace `library`
    std::vector<std::string> namespaces;
    std::vector<std::string> queries;
    int page_size = 100;
    size_t max_query_length = 6;           // prefix expansion stops at this length
    std::string prefix_alphabet;           // "" : kRepositoryNameAlphabet
    int concurrency = 4;
    // Transport and retries (TLS, retries, 429 retries, max_pause); the crawl
    // adds the pacing: one RequestPacer for all workers, so a pause the Hub
    // asks for (X-Retry-After, X-RateLimit-Reset) holds every worker back.
    HttpPolicy http = hub_transport_policy();
    double max_requests_per_second = 0;    // <= 0: no spacing beyond the server's own limits
    int64_t max_pages = 100'000;           // pages read per listing (--max-pages)
};

// Listing names as kept in the state: "namespace:<ns>", "search:<query>".
std::string namespace_listing_name(std::string_view namespace_name);
std::string search_listing_name(std::string_view query);

// Crawls until every listing is finished; returns the rows found (also those of
// earlier, interrupted runs with the same state), before deduplication.
std::vector<FoundRow> crawl_hub(const HubCrawlOptions& options, CrawlState& state, GrowthLog& growth);

}  // namespace regcensus::crawl
