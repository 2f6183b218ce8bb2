#include "regcensus/crawl/hub_crawler.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "regcensus/crawl/hub_client.hpp"
#include "regcensus/registry/url_origin.hpp"
#include "regcensus/crawl/prefix_expansion.hpp"
#include "task_pool.hpp"
#include "regcensus/registry/curl_handles.hpp"
#include "regcensus/registry/request_pacer.hpp"
#include "regcensus/util/log.hpp"

namespace regcensus::crawl {
namespace {

// Why a listing's `next` link is not followed ("" when it is): the same rules
// as a registry listing (docs/trust.md): Hub's own origin only, never a page
// already read, at most --max-pages pages.
std::string why_not_follow(const std::string& next, const std::set<std::string>& visited,
                           const HubCrawlOptions& options, int64_t pages_read) {
    if (next.empty()) return {};
    if (visited.count(next)) return "a page already read (a cycle of next links)";
    if (!same_origin(next, options.hub_url)) {
        const auto origin = url_origin(next);
        return "a next link to another origin (" + (origin ? origin->str() : std::string("not a URL")) +
               "), not followed";
    }
    if (pages_read >= options.max_pages) return "reached the cap of " + std::to_string(options.max_pages) + " pages";
    return {};
}

constexpr std::string_view kNamespacePrefix = "namespace:";
constexpr std::string_view kSearchPrefix = "search:";

// Crawl order of listings, which decides which duplicate wins: official images
// first (their listing carries last_updated), then namespaces, then searches.
int listing_rank(std::string_view listing) {
    if (listing == namespace_listing_name("library")) return 0;
    if (listing.starts_with(kNamespacePrefix)) return 1;
    return 2;
}

// The listings already known (given, or discovered by expansion), so that an
// expansion that equals another query is not crawled twice.
class KnownListings {
public:
    bool insert(const std::string& listing) {
        std::lock_guard lock(mutex_);
        return known_.insert(listing).second;
    }

private:
    std::mutex mutex_;
    std::set<std::string> known_;
};

constexpr std::string_view kLatestSuffix = ":latest";

// References ("ns/name:latest") whose rows all came from searches: no namespace
// listing (which carries last_updated) found them.
std::vector<std::string> search_only_references(const std::vector<FoundRow>& rows) {
    std::map<std::string, int> best_rank;
    for (const auto& found : rows) {
        auto [it, inserted] = best_rank.emplace(found.row.reference, found.origin.rank);
        if (!inserted) it->second = std::min(it->second, found.origin.rank);
    }
    std::vector<std::string> references;
    for (const auto& [reference, rank] : best_rank)
        if (rank == 2 && reference.ends_with(kLatestSuffix)) references.push_back(reference);
    return references;
}

}  // namespace

std::string namespace_listing_name(std::string_view namespace_name) {
    return std::string(kNamespacePrefix) + std::string(namespace_name);
}

HttpPolicy hub_transport_policy() {
    HttpPolicy policy;
    policy.retries = 5;
    policy.rate_limited_retries = 20;
    policy.max_pause = std::chrono::seconds(900);
    return policy;
}

std::string search_listing_name(std::string_view query) { return std::string(kSearchPrefix) + std::string(query); }

std::vector<FoundRow> crawl_hub(const HubCrawlOptions& options, CrawlState& state, GrowthLog& growth) {
    const std::string alphabet =
        options.prefix_alphabet.empty() ? std::string(kRepositoryNameAlphabet) : options.prefix_alphabet;
    // No quota reserve (-1): the Hub API states its limits in X-RateLimit-*, which pause the crawl.
    const HttpPolicy policy = paced_policy(
        options.http, std::make_shared<RequestPacer>(options.max_requests_per_second, -1, options.http.max_pause));
    TaskPool pool(options.concurrency);
    KnownListings known;

    std::vector<std::string> listings;
    if (options.official) listings.push_back(namespace_listing_name("library"));
    for (const auto& name : options.namespaces) listings.push_back(namespace_listing_name(name));
    for (const auto& query : options.queries) listings.push_back(search_listing_name(query));
    for (const auto& listing : state.listings_added()) listings.push_back(listing);
    const auto done = state.listings_done();
    for (const auto& listing : listings)
        if (known.insert(listing) && !done.contains(listing)) pool.add(listing);

    const auto resumed_progress = state.in_progress();
    std::vector<std::unique_ptr<HubClient>> clients;  // one connection per worker
    for (int i = 0; i < std::max(options.concurrency, 1); ++i)
        clients.push_back(std::make_unique<HubClient>(policy));

    pool.run([&](const std::string& listing, int worker) {
        const bool is_search = listing.starts_with(kSearchPrefix);
        const std::string subject = listing.substr(listing.find(':') + 1);
        const HubListingKind kind = is_search ? HubListingKind::search : HubListingKind::namespace_listing;
        ListingProgress progress;
        if (auto saved = resumed_progress.find(listing); saved != resumed_progress.end()) {
            progress = saved->second;
        } else {
            progress.next_url = is_search ? search_url(options.hub_url, subject, options.page_size)
                                          : namespace_listing_url(options.hub_url, subject, options.page_size);
        }
        std::set<std::string> visited;  // this walk's pages: a cycle of `next` links ends it
        while (!progress.next_url.empty()) {
            if (pool.stopping()) return;
            const std::string url = progress.next_url;
            const HubPage page = clients[size_t(worker)]->get_page(url, kind);

            CrawlCommit commit;
            commit.listing = listing;
            int64_t position = 0;
            for (const auto& repository : page.results) {
                ++position;
                if (repository.is_private) continue;
                FoundRow found;
                found.origin = {listing_rank(listing), listing, progress.pages, position};
                found.row.reference = repository.namespace_name + "/" + repository.name + ":latest";
                found.row.pull_count = repository.pull_count;
                found.row.star_count = repository.star_count;
                found.row.last_updated = repository.last_updated;
                found.row.is_official = repository.is_official;
                found.row.source = listing;
                commit.rows.push_back(std::move(found));
            }
            progress.pages += 1;
            progress.seen += int64_t(page.results.size());
            if (page.count >= 0) progress.count = page.count;
            std::string next = page.next.empty() ? std::string() : resolve_url(url, page.next);
            if (next == url) next.clear();  // a page pointing at itself would never end
            visited.insert(url);
            if (const std::string why = why_not_follow(next, visited, options, progress.pages); !why.empty()) {
                log_printf(LogLevel::warning, "%s: stopped early: %s (%lld pages read)", listing.c_str(), why.c_str(), static_cast<long long>(progress.pages));
                next.clear();
            }
            progress.next_url = next;

            if (next.empty()) {
                if (is_search && hit_page_cap(progress.count, progress.seen)) {
                    const auto prefixes = expand_prefix(subject, alphabet, options.max_query_length);
                    if (prefixes.empty())
                        log_printf(LogLevel::warning,
                                   "search '%s' is capped (%lld of %lld results) at "
                                   "--max-query-length %zu; the rest is not reachable by prefix",
                                     subject.c_str(), static_cast<long long>(progress.seen),
                                     static_cast<long long>(progress.count), options.max_query_length);
                    for (const auto& prefix : prefixes)
                        if (known.insert(search_listing_name(prefix)))
                            commit.listings_added.push_back(search_listing_name(prefix));
                }
            } else {
                commit.progress = progress;
            }
            state.commit(commit);
            growth.record(listing, progress.count >= 0 ? progress.count : progress.seen, state.row_count());
            for (const auto& added : commit.listings_added) pool.add(added);
        }
    });

    // Search results carry no last_updated: rows found only by search get the
    // repository info, one request each, on the same workers and limiter. Each
    // answer is committed, so a resumed crawl asks only for the missing ones.
    const auto received = state.repository_info();
    TaskPool info_pool(options.concurrency);
    size_t requested = 0;
    for (const auto& reference : search_only_references(state.rows()))
        if (!received.contains(reference)) {
            info_pool.add(reference);
            ++requested;
        }
    if (requested > 0)
        log_printf(LogLevel::info, "repository info of %zu repositories found only by search", requested);
    info_pool.run([&](const std::string& reference, int worker) {
        if (info_pool.stopping()) return;
        const std::string repository = reference.substr(0, reference.size() - kLatestSuffix.size());
        const size_t slash = repository.find('/');
        RepositoryInfo info;
        info.reference = reference;
        if (slash != std::string::npos) {
            const auto answer = clients[size_t(worker)]->get_repository_info(
                repository_info_url(options.hub_url, repository.substr(0, slash), repository.substr(slash + 1)));
            if (answer) {
                info.found = true;
                info.pull_count = answer->pull_count;
                info.star_count = answer->star_count;
                info.last_updated = answer->last_updated;
            }
        }
        CrawlCommit commit;  // no listing: only the info
        commit.infos.push_back(std::move(info));
        state.commit(commit);
    });

    std::vector<FoundRow> rows = state.rows();
    const auto infos = state.repository_info();
    for (auto& found : rows) {
        if (found.origin.rank != 2) continue;
        const auto info = infos.find(found.row.reference);
        if (info == infos.end() || !info->second.found) continue;  // a 404 keeps the search values
        found.row.pull_count = info->second.pull_count;
        found.row.star_count = info->second.star_count;
        found.row.last_updated = info->second.last_updated;
    }
    return rows;
}

}  // namespace regcensus::crawl
