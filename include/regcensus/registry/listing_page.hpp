#pragma once
// A page of a paginated listing of the Registry API: `_catalog` (names under
// `repositories`) and `tags/list` (`tags`), with the next page named by the
// Link header (RFC 8288): `Link: </v2/_catalog?last=x&n=100>; rel="next"`.
// One reading for the registry client and the catalog crawler.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "regcensus/registry/http_session.hpp"

namespace regcensus {

// The largest listing page read (a catalog page of 10,000 long names is a few MB).
inline constexpr int64_t kMaxListingPageBytes = 64 << 20;

// The target of the entry whose `rel` includes "next" (quoted or not, possibly
// among other relation types such as rel="next last"), "" when there is none.
// The target is returned as written: relative targets are resolved by the caller
// against the URL of the page that carried the header.
std::string next_link_target(std::string_view link_header);

struct ListingPage {
    std::vector<std::string> names;
    std::string next_url;  // absolute; "" at the end
    bool links_to_itself = false;  // the Link named this very page (next_url is then "")
};

// The names under `array_key` of a successful listing response (null or absent:
// none, as for a repository without tags) and its next page, resolved against
// the URL the response came from (`url` before redirects). A page that names
// itself as next ends the listing. Throws DataError "http_<status>" when the
// body is not JSON.
ListingPage parse_listing_page(const HttpResponse& response, const std::string& url, std::string_view array_key);

// Throws DataError "other_origin" when `response` to `url` came, after
// redirects, from an origin other than the registry's: its names would be
// another host's, attributed to this registry.
void check_listing_origin(const HttpResponse& response, const std::string& url, std::string_view registry_url);

// What one listing (a catalog, one repository's tags) may cost before its walk stops.
struct ListingLimits {
    int64_t max_pages = 100'000;    // pages fetched
    int64_t max_names = 10'000'000;  // names kept
};

// Why a walk of listing pages ended (or `more`: it goes on).
enum class ListingEnd { more, last_page, cycle, no_new_names, other_origin, page_cap, name_cap };

// The one rule for following a listing's pages, for the registry client and
// the crawler alike: a `Link` rel="next" is followed only to the origin
// (scheme, host, port) of the listing's registry, never to a page already
// fetched, not after a page that added no new names, and not beyond the page
// and name caps. A registry cannot make a walk endless, or put the names of
// another host into this registry's listing.
class ListingWalk {
public:
    // `registry_url`: the registry the listing belongs to; `listing`: what the
    // log lines call it ("the catalog", "the tags of team/app").
    ListingWalk(std::string_view registry_url, std::string listing, ListingLimits limits = {});

    // Continues a walk interrupted after `pages` pages that kept `names` names.
    void resume(int64_t pages, int64_t names);

    // How many of a page's `new_names` (names not seen before in this listing)
    // to keep: all of them until the name cap is reached.
    size_t names_to_keep(size_t new_names);

    // After `page`, fetched from `url`, was read and its new names kept
    // (`new_names` of them), the URL of the page to fetch next, or "" when the
    // walk ends: then end() says why.
    std::string next_page(const std::string& url, const ListingPage& page, size_t new_names);

    ListingEnd end() const { return end_; }
    // True when the walk stopped before the registry's last page.
    bool cut_short() const { return end_ != ListingEnd::more && end_ != ListingEnd::last_page; }
    // One sentence for the log naming the reason (and, for another origin, the
    // ignored host); "" unless cut_short().
    const std::string& end_message() const { return end_message_; }
    int64_t pages() const { return pages_; }
    int64_t names() const { return names_; }

private:
    std::string stop(ListingEnd end, std::string reason);

    std::string registry_url_;
    std::string listing_;
    ListingLimits limits_;
    std::unordered_set<std::string> visited_;
    int64_t pages_ = 0;
    int64_t names_ = 0;
    bool names_cut_ = false;
    ListingEnd end_ = ListingEnd::more;
    std::string end_message_;
};

}  // namespace regcensus
