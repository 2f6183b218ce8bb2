#pragma once
// The Link header (RFC 8288) of paginated listings: registries answer
// `_catalog` and `tags/list` with `Link: </v2/_catalog?last=x&n=100>; rel="next"`.
#include <string>
#include <string_view>

namespace regcensus::crawl {

// The target of the entry whose `rel` includes "next" (quoted or not, possibly
// among other relation types such as rel="next last"), "" when there is none.
// The target is returned as written: relative targets are resolved by the caller
// against the URL of the page that carried the header.
std::string next_link_target(std::string_view link_header);

}  // namespace regcensus::crawl
