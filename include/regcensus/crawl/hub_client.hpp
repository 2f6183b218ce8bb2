#pragma once
// Docker Hub's JSON API (https://hub.docker.com, documented in docker/docs
// content/reference/api/hub/latest.yaml): paginated listings shaped
// `{"count": N, "next": URL|null, "previous": URL|null, "results": [...]}`.
//  - namespace listing: GET /v2/namespaces/{ns}/repositories?page_size=&page=
//    results[]: name, namespace, pull_count, star_count, last_updated, is_private, ...
//  - search: GET /v2/search/repositories/?query=Q&page_size=&page=
//    results[]: repo_name ("nginx" for official images, else "ns/name"),
//    pull_count, star_count, is_official, ...
//  - repository info: GET /v2/repositories/{ns}/{name}/ (one object, not a page)
//    name, namespace, pull_count, star_count, last_updated, is_private, ...
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/registry/http_session.hpp"

namespace regcensus::crawl {

struct HubRepository {
    std::string namespace_name;  // "library" for official images
    std::string name;
    int64_t pull_count = -1;
    int64_t star_count = -1;
    std::string last_updated;  // "" when the result has none (search results do not)
    bool is_official = false;
    bool is_private = false;
};

struct HubPage {
    int64_t count = -1;  // -1 when absent
    std::string next;    // "" when null or absent
    std::vector<HubRepository> results;
};

// Parsers of one page (pure). Throw std::runtime_error on a body that is not
// such a page; results without a usable name are skipped.
HubPage parse_namespace_page(std::string_view json);
HubPage parse_search_page(std::string_view json);
// One repository info object. Throws std::runtime_error on a body that is not
// an object; absent fields keep their defaults (-1, "").
HubRepository parse_repository_info(std::string_view json);

// The first page URLs. `base_url` is the Hub's origin, e.g. "https://hub.docker.com".
std::string namespace_listing_url(std::string_view base_url, std::string_view namespace_name, int page_size);
std::string search_url(std::string_view base_url, std::string_view query, int page_size);
std::string repository_info_url(std::string_view base_url, std::string_view namespace_name, std::string_view name);

enum class HubListingKind { namespace_listing, search };

class HubClient {
public:
    // `policy`: the transport, retries and pacing (paced_policy) shared by a
    // crawl's workers; each client keeps its own connection.
    explicit HubClient(const HttpPolicy& policy);

    // One page. A 404 (an unknown namespace) is an empty, final page. Other
    // failures after retries throw DataError (status "http_<code>", "network", ...).
    HubPage get_page(const std::string& url, HubListingKind kind);
    // The repository info; nullopt on a 404 (deleted or renamed since the
    // search indexed it). Other failures throw as get_page does.
    std::optional<HubRepository> get_repository_info(const std::string& url);

private:
    HttpSession session_;
};

}  // namespace regcensus::crawl
