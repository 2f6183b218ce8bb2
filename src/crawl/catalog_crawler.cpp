#include "regcensus/crawl/catalog_crawler.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "regcensus/crawl/task_pool.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus::crawl {
namespace {

constexpr std::string_view kCatalogListing = "catalog";
constexpr std::string_view kTagsPrefix = "tags:";

std::string trimmed_base(std::string_view base_url) {
    while (base_url.ends_with('/')) base_url.remove_suffix(1);
    return std::string(base_url);
}

// One page of `_catalog` (`repositories`) or `tags/list` (`tags`); nullopt
// when the registry answers 404 (no catalog, or a repository without tags).
std::optional<ListingPage> get_listing_page(PoliteHttp& http, const std::string& url, std::string_view array_key) {
    const HttpResponse response = http.get(url, kMaxListingPageBytes);
    if (response.status == 404) return std::nullopt;
    if (!response.ok())
        throw DataError("http_" + std::to_string(response.status),
                        "GET " + url + ": HTTP " + std::to_string(response.status));
    return parse_listing_page(response, url, array_key);
}

}  // namespace

std::vector<FoundRow> crawl_catalog(const CatalogCrawlOptions& options, CrawlState& state, GrowthLog& growth) {
    const std::string base = trimmed_base(options.registry_url);
    RateLimiter limiter(options.max_requests_per_second);
    TaskPool pool(options.concurrency);

    std::mutex known_mutex;
    std::set<std::string> known;
    const auto added = state.listings_added();
    const auto done = state.listings_done();
    std::atomic<int64_t> repositories_listed{int64_t(added.size())};
    known.insert(std::string(kCatalogListing));
    if (!done.contains(std::string(kCatalogListing))) pool.add(std::string(kCatalogListing));
    for (const auto& listing : added)
        if (known.insert(listing).second && !done.contains(listing)) pool.add(listing);

    const auto resumed_progress = state.in_progress();
    std::vector<std::unique_ptr<PoliteHttp>> sessions;  // one connection per worker
    for (int i = 0; i < std::max(options.concurrency, 1); ++i)
        sessions.push_back(std::make_unique<PoliteHttp>(options.http, limiter));

    auto walk_catalog = [&](PoliteHttp& http) {
        ListingProgress progress;
        if (auto saved = resumed_progress.find(std::string(kCatalogListing)); saved != resumed_progress.end())
            progress = saved->second;
        else
            progress.next_url = base + "/v2/_catalog?n=" + std::to_string(options.page_size);
        while (!progress.next_url.empty()) {
            if (pool.stopping()) return;
            const auto found = get_listing_page(http, progress.next_url, "repositories");
            if (!found) throw DataError("http_404", "GET " + progress.next_url + ": the registry has no catalog");
            const ListingPage& page = *found;
            CrawlCommit commit;
            commit.listing = std::string(kCatalogListing);
            {
                std::lock_guard lock(known_mutex);
                for (const auto& repository : page.names)
                    if (known.insert(std::string(kTagsPrefix) + repository).second)
                        commit.listings_added.push_back(std::string(kTagsPrefix) + repository);
            }
            progress.pages += 1;
            progress.seen += int64_t(page.names.size());
            progress.next_url = page.next_url;
            if (!page.next_url.empty()) commit.progress = progress;
            state.commit(commit);
            repositories_listed += int64_t(commit.listings_added.size());
            growth.record("catalog", repositories_listed, state.row_count());
            for (const auto& listing : commit.listings_added) pool.add(listing);
        }
    };

    // A repository's tags are committed as one unit (the selection needs them
    // all), so an interrupted repository is listed again from its first page.
    auto walk_tags = [&](PoliteHttp& http, const std::string& listing) {
        const std::string repository = listing.substr(kTagsPrefix.size());
        std::vector<std::string> tags;
        std::string url = base + "/v2/" + repository + "/tags/list?n=" + std::to_string(options.page_size);
        while (!url.empty()) {
            if (pool.stopping()) return;
            const auto page = get_listing_page(http, url, "tags");
            if (!page) {
                std::fprintf(stderr, "regcensus crawl: warning: %s: no tags (HTTP 404), skipped\n",
                             repository.c_str());
                break;
            }
            tags.insert(tags.end(), page->names.begin(), page->names.end());
            url = page->next_url;
        }
        CrawlCommit commit;
        commit.listing = listing;
        int64_t position = 0;
        for (const auto& tag : select_tags(tags, options.tags)) {
            FoundRow found;
            found.origin = {1, listing, 0, position++};
            found.row.reference = repository + ":" + tag;
            found.row.source = "catalog";
            commit.rows.push_back(std::move(found));
        }
        state.commit(commit);
    };

    pool.run([&](const std::string& listing, int worker) {
        PoliteHttp& http = *sessions[size_t(worker)];
        if (listing == kCatalogListing)
            walk_catalog(http);
        else
            walk_tags(http, listing);
    });
    return state.rows();
}

}  // namespace regcensus::crawl
