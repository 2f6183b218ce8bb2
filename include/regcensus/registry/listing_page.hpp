#pragma once
// A page of a paginated listing of the Registry API: `_catalog` (names under
// `repositories`) and `tags/list` (`tags`), with the next page named by the
// Link header (RFC 8288): `Link: </v2/_catalog?last=x&n=100>; rel="next"`.
// One reading for the registry client and the catalog crawler.
#include <cstdint>
#include <string>
#include <string_view>
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
};

// The names under `array_key` of a successful listing response (null or absent:
// none, as for a repository without tags) and its next page, resolved against
// the URL the response came from (`url` before redirects). A page that names
// itself as next ends the listing. Throws DataError "http_<status>" when the
// body is not JSON.
ListingPage parse_listing_page(const HttpResponse& response, const std::string& url, std::string_view array_key);

}  // namespace regcensus
