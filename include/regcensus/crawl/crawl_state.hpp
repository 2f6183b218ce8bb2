#pragma once
// The persistent state of a crawl, so that an interrupted crawl (even kill -9)
// continues where it stopped. Two files:
//  - `<state>` (JSON, small): which crawl this is, how many bytes of the journal
//    are committed, and the next page URL of every listing in progress. Written
//    to a temp file and renamed after every page.
//  - `<state>.journal` (append-only lines): rows found, listings discovered
//    (repositories of a catalog, expanded search prefixes), listings finished,
//    repository info received (Hub rows found only by search).
//    Appending keeps a checkpoint O(page) however large the crawl grows; bytes
//    past the committed size (a page whose checkpoint never landed) are cut off
//    on resume, so that page is simply fetched again.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/crawl/crawl_row.hpp"

namespace regcensus::crawl {

struct ListingProgress {
    std::string next_url;  // the page to fetch next
    int64_t pages = 0;     // pages done
    int64_t seen = 0;      // results received so far
    int64_t count = -1;    // the total the server announces (-1: none)
    auto operator<=>(const ListingProgress&) const = default;
};

struct CrawlCheckpoint {
    std::string identity;        // what is crawled, e.g. "hub https://hub.docker.com"
    uint64_t journal_bytes = 0;  // committed length of the journal
    std::map<std::string, ListingProgress> in_progress;
    auto operator<=>(const CrawlCheckpoint&) const = default;
};

std::string checkpoint_to_json(const CrawlCheckpoint& checkpoint);
// Throws std::runtime_error on a malformed document.
CrawlCheckpoint checkpoint_from_json(std::string_view json);

// Everything the journal records.
struct JournalContents {
    std::vector<std::string> listings_added;  // in the order they were found
    std::set<std::string> listings_done;
    std::vector<FoundRow> rows;
    std::map<std::string, RepositoryInfo> repository_info;  // by reference
};

// One journal line each (without newline), and the parser of a whole journal.
// Listing names and fields never contain tabs or newlines (they are replaced).
std::string journal_row_line(const FoundRow& row);
std::string journal_listing_added_line(std::string_view listing);
std::string journal_listing_done_line(std::string_view listing);
std::string journal_repository_info_line(const RepositoryInfo& info);
// Throws std::runtime_error naming the line on a malformed line.
JournalContents parse_journal(std::string_view text);

// What one checkpoint commits, atomically as far as a resume can tell.
struct CrawlCommit {
    std::string listing;                       // the listing that made progress ("": none, only infos)
    std::vector<FoundRow> rows;                // rows found on the page(s)
    std::vector<std::string> listings_added;   // listings discovered
    std::optional<ListingProgress> progress;   // where it continues; nullopt: the listing is finished
    std::vector<RepositoryInfo> infos;         // repository info received
};

// Thread-safe. Without a path nothing is written, but the contents are still
// kept in memory (the output list is built from them).
class CrawlState {
public:
    // Opens `path` if it exists (its identity must equal `identity`), else starts empty.
    CrawlState(std::string path, std::string identity);

    void commit(const CrawlCommit& commit);

    // Snapshot accessors (copies, under the lock).
    std::vector<std::string> listings_added() const;
    std::set<std::string> listings_done() const;
    std::map<std::string, ListingProgress> in_progress() const;
    std::vector<FoundRow> rows() const;
    std::map<std::string, RepositoryInfo> repository_info() const;
    size_t row_count() const;
    bool resumed() const { return resumed_; }

private:
    void write_checkpoint();

    std::string path_;
    std::string journal_path_;
    mutable std::mutex mutex_;
    CrawlCheckpoint checkpoint_;
    JournalContents contents_;
    bool resumed_ = false;
};

}  // namespace regcensus::crawl
