#include "regcensus/crawl/catalog_crawler.hpp"

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <algorithm>
#include <set>

#include "invalid_names.hpp"
#include "task_pool.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/registry/repository_name.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/log.hpp"

namespace regcensus::crawl {
namespace {

constexpr std::string_view kCatalogListing = "catalog";
constexpr std::string_view kTagsPrefix = "tags:";

std::string trimmed_base(std::string_view base_url) {
    while (base_url.ends_with('/')) base_url.remove_suffix(1);
    return std::string(base_url);
}

void warn(const std::string& message) { log_line(LogLevel::warning, message); }

}  // namespace

CatalogCrawl crawl_catalog(const CatalogCrawlOptions& options, CrawlState& state, GrowthLog& growth) {
    RegistryOptions registry = options.registry;
    share_registry_state(registry);  // one token cache, pacer and connection pool for all workers
    std::vector<std::unique_ptr<RegistryClient>> clients;  // one per worker
    for (int i = 0; i < std::max(options.concurrency, 1); ++i)
        clients.push_back(std::make_unique<RegistryClient>(registry));
    const std::string base = trimmed_base(clients.front()->options().url);  // without any credential
    const int page_size = registry.page_size;
    TaskPool pool(options.concurrency);
    InvalidNames invalid;
    std::atomic<int64_t> listings_cut{0}, listings_failed{0};

    std::mutex known_mutex;
    std::set<std::string> known;
    const auto added = state.listings_added();
    const auto done = state.listings_done();
    std::atomic<int64_t> repositories_listed{int64_t(added.size())};
    known.insert(std::string(kCatalogListing));
    if (!done.contains(std::string(kCatalogListing))) pool.add(std::string(kCatalogListing));
    for (const auto& listing : added) {
        // A state journalled before names were checked may hold an invalid one.
        if (listing.starts_with(kTagsPrefix) && !is_repository_name(listing.substr(kTagsPrefix.size()))) {
            invalid.skip("repository", listing.substr(kTagsPrefix.size()), "the crawl state");
            continue;
        }
        if (known.insert(listing).second && !done.contains(listing)) pool.add(listing);
    }

    const auto resumed_progress = state.in_progress();

    auto walk_catalog = [&](RegistryClient& client) {
        ListingProgress progress;
        if (auto saved = resumed_progress.find(std::string(kCatalogListing)); saved != resumed_progress.end())
            progress = saved->second;
        else
            progress.next_url = base + "/v2/_catalog?n=" + std::to_string(page_size);
        ListingWalk walk(base, "the catalog", options.limits);
        walk.resume(progress.pages, progress.seen);
        while (!progress.next_url.empty()) {
            if (pool.stopping()) return;
            std::optional<ListingPage> found;
            try {
                found = client.listing_page(progress.next_url, "");
                if (!found) throw DataError("http_404", "GET " + progress.next_url + ": the registry has no catalog");
            } catch (const DataError& e) {
                // Nothing listed yet: the crawl has nothing to go on. Otherwise the
                // repositories found so far are crawled and a rerun retries this page.
                if (repositories_listed == 0) throw;
                warn(std::string("the catalog: stopped at a page that failed (") + e.what() +
                     "); the repositories found so far are crawled, a rerun with the same --state retries it");
                ++listings_failed;
                return;
            }
            const ListingPage& page = *found;
            CrawlCommit commit;
            commit.listing = std::string(kCatalogListing);
            size_t invalid_names = 0;
            {
                std::lock_guard lock(known_mutex);
                for (const auto& repository : page.names) {
                    if (!is_repository_name(repository)) {
                        invalid.skip("repository", repository, "the catalog");
                        ++invalid_names;
                    } else if (known.insert(std::string(kTagsPrefix) + repository).second) {
                        commit.listings_added.push_back(std::string(kTagsPrefix) + repository);
                    }
                }
            }
            commit.listings_added.resize(walk.names_to_keep(commit.listings_added.size()));
            progress.next_url = walk.next_page(progress.next_url, page, commit.listings_added.size() + invalid_names);
            progress.pages = walk.pages();
            progress.seen = walk.names();
            if (!progress.next_url.empty()) commit.progress = progress;
            state.commit(commit);
            repositories_listed += int64_t(commit.listings_added.size());
            growth.record("catalog", repositories_listed, state.row_count());
            for (const auto& listing : commit.listings_added) pool.add(listing);
        }
        if (walk.cut_short()) {
            warn(walk.end_message());
            ++listings_cut;
        }
    };

    // A repository's tags are committed as one unit (the selection needs them
    // all), so an interrupted repository is listed again from its first page.
    auto walk_tags = [&](RegistryClient& client, const std::string& listing) {
        const std::string repository = listing.substr(kTagsPrefix.size());
        const std::string where = "the tags of " + repository;
        ListingWalk walk(base, where, options.limits);
        std::vector<std::string> tags;
        std::set<std::string> seen;
        std::string url = base + "/v2/" + repository + "/tags/list?n=" + std::to_string(page_size);
        while (!url.empty()) {
            if (pool.stopping()) return;
            std::optional<ListingPage> page;
            try {
                page = client.listing_page(url, repository);
            } catch (const DataError& e) {
                // This repository only; not committed, so a rerun with the same state lists it again.
                warn(where + ": not listed (" + e.what() + "); a rerun with the same --state retries it");
                ++listings_failed;
                return;
            }
            if (!page) {
                log_printf(LogLevel::warning, "%s: no tags (HTTP 404), skipped", repository.c_str());
                break;
            }
            std::vector<std::string> fresh;
            size_t invalid_names = 0;
            for (auto& tag : page->names) {
                if (!seen.insert(tag).second) continue;
                if (is_tag_name(tag)) {
                    fresh.push_back(std::move(tag));
                } else {
                    invalid.skip("tag", tag, where);
                    ++invalid_names;
                }
            }
            fresh.resize(walk.names_to_keep(fresh.size()));
            tags.insert(tags.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
            url = walk.next_page(url, *page, fresh.size() + invalid_names);
        }
        if (walk.cut_short()) {
            warn(walk.end_message());
            ++listings_cut;
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
        RegistryClient& client = *clients[size_t(worker)];
        if (listing == kCatalogListing)
            walk_catalog(client);
        else
            walk_tags(client, listing);
    });
    invalid.log_summary();
    return {state.rows(), listings_cut, listings_failed, invalid.count()};
}

}  // namespace regcensus::crawl
