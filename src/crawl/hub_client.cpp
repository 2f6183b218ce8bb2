#include "regcensus/crawl/hub_client.hpp"

#include <simdjson.h>

#include <stdexcept>

#include "regcensus/registry/curl_handles.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus::crawl {
namespace {

constexpr int64_t kMaxPageBytes = 16 << 20;

std::string string_member(simdjson::dom::element object, std::string_view key) {
    std::string_view text;
    if (object[key].get_string().get(text) == simdjson::SUCCESS) return std::string(text);
    return {};
}

int64_t count_member(simdjson::dom::element object, std::string_view key) {
    int64_t value = -1;
    if (object[key].get_int64().get(value) == simdjson::SUCCESS) return value;
    uint64_t large = 0;  // beyond int64 would be absurd for a count, but must not fail the page
    if (object[key].get_uint64().get(large) == simdjson::SUCCESS) return INT64_MAX;
    return -1;
}

bool flag_member(simdjson::dom::element object, std::string_view key) {
    bool value = false;
    return object[key].get_bool().get(value) == simdjson::SUCCESS && value;
}

// The envelope shared by all paginated Hub listings; `read_result` fills one result.
template <typename ReadResult>
HubPage parse_page(std::string_view json, ReadResult read_result) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(json)).get(root) != simdjson::SUCCESS)
        throw std::runtime_error("Hub page is not JSON");
    HubPage page;
    page.count = count_member(root, "count");
    page.next = string_member(root, "next");  // null -> ""
    simdjson::dom::array results;
    if (root["results"].get_array().get(results) != simdjson::SUCCESS)
        throw std::runtime_error("Hub page has no results array");
    for (simdjson::dom::element result : results) {
        HubRepository repository;
        repository.pull_count = count_member(result, "pull_count");
        repository.star_count = count_member(result, "star_count");
        repository.last_updated = string_member(result, "last_updated");
        repository.is_private = flag_member(result, "is_private");
        read_result(result, repository);
        if (!repository.name.empty() && !repository.namespace_name.empty())
            page.results.push_back(std::move(repository));
    }
    return page;
}

std::string trimmed_base(std::string_view base_url) {
    while (base_url.ends_with('/')) base_url.remove_suffix(1);
    return std::string(base_url);
}

}  // namespace

HubPage parse_namespace_page(std::string_view json) {
    return parse_page(json, [](simdjson::dom::element result, HubRepository& repository) {
        repository.name = string_member(result, "name");
        repository.namespace_name = string_member(result, "namespace");
        repository.is_official = repository.namespace_name == "library";
    });
}

HubPage parse_search_page(std::string_view json) {
    return parse_page(json, [](simdjson::dom::element result, HubRepository& repository) {
        const std::string repo_name = string_member(result, "repo_name");
        repository.is_official = flag_member(result, "is_official");
        const size_t slash = repo_name.find('/');
        // Official images are named without their namespace in search results.
        repository.namespace_name = slash == std::string::npos ? "library" : repo_name.substr(0, slash);
        repository.name = slash == std::string::npos ? repo_name : repo_name.substr(slash + 1);
        if (repository.namespace_name == "library") repository.is_official = true;
    });
}

HubRepository parse_repository_info(std::string_view json) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(json)).get(root) != simdjson::SUCCESS || !root.is_object())
        throw std::runtime_error("Hub repository info is not a JSON object");
    HubRepository repository;
    repository.name = string_member(root, "name");
    repository.namespace_name = string_member(root, "namespace");
    repository.pull_count = count_member(root, "pull_count");
    repository.star_count = count_member(root, "star_count");
    repository.last_updated = string_member(root, "last_updated");
    repository.is_private = flag_member(root, "is_private");
    repository.is_official = repository.namespace_name == "library";
    return repository;
}

std::string namespace_listing_url(std::string_view base_url, std::string_view namespace_name, int page_size) {
    return trimmed_base(base_url) + "/v2/namespaces/" + url_escape(namespace_name) +
           "/repositories?page_size=" + std::to_string(page_size) + "&page=1";
}

std::string search_url(std::string_view base_url, std::string_view query, int page_size) {
    return trimmed_base(base_url) + "/v2/search/repositories/?query=" + url_escape(query) +
           "&page_size=" + std::to_string(page_size) + "&page=1";
}

std::string repository_info_url(std::string_view base_url, std::string_view namespace_name, std::string_view name) {
    return trimmed_base(base_url) + "/v2/repositories/" + url_escape(namespace_name) + "/" + url_escape(name) + "/";
}

HubClient::HubClient(const HttpPolicy& policy) : session_(policy) {}

namespace {
HttpResponse get(HttpSession& session, const std::string& url) {
    HttpRequest request;
    request.url = url;
    return session.perform(request, kMaxPageBytes);
}
}  // namespace

HubPage HubClient::get_page(const std::string& url, HubListingKind kind) {
    const HttpResponse response = get(session_, url);
    if (response.status == 404) return {};
    if (!response.ok())
        throw DataError("http_" + std::to_string(response.status),
                        "GET " + url + ": HTTP " + std::to_string(response.status));
    try {
        return kind == HubListingKind::search ? parse_search_page(response.body) : parse_namespace_page(response.body);
    } catch (const std::runtime_error& error) {
        throw DataError("http_" + std::to_string(response.status), "GET " + url + ": " + error.what());
    }
}

std::optional<HubRepository> HubClient::get_repository_info(const std::string& url) {
    const HttpResponse response = get(session_, url);
    if (response.status == 404) return std::nullopt;
    if (!response.ok())
        throw DataError("http_" + std::to_string(response.status),
                        "GET " + url + ": HTTP " + std::to_string(response.status));
    try {
        return parse_repository_info(response.body);
    } catch (const std::runtime_error& error) {
        throw DataError("http_" + std::to_string(response.status), "GET " + url + ": " + error.what());
    }
}

}  // namespace regcensus::crawl
