#include "regcensus/registry/listing_page.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "regcensus/registry/curl_handles.hpp"
#include "regcensus/registry/url_origin.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Whether the `rel` parameter's space-separated relation types include "next".
bool relations_include_next(std::string_view value) {
    value = trim(value);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    while (!value.empty()) {
        value = trim(value);
        const size_t space = value.find(' ');
        if (equals_ignoring_case(value.substr(0, space), "next")) return true;
        if (space == std::string_view::npos) break;
        value.remove_prefix(space + 1);
    }
    return false;
}

}  // namespace

std::string next_link_target(std::string_view header) {
    size_t position = 0;
    while (position < header.size()) {
        const size_t open = header.find('<', position);
        if (open == std::string_view::npos) return {};
        // The target may itself contain commas and semicolons; it ends at '>'.
        const size_t close = header.find('>', open);
        if (close == std::string_view::npos) return {};
        // Parameters run to the next comma outside a quoted string.
        size_t end = close + 1;
        bool quoted = false;
        for (; end < header.size(); ++end) {
            if (header[end] == '"') quoted = !quoted;
            if (header[end] == ',' && !quoted) break;
        }
        std::string_view parameters = header.substr(close + 1, end - close - 1);
        while (!parameters.empty()) {
            const size_t semicolon = parameters.find(';');
            const std::string_view parameter = trim(parameters.substr(0, semicolon));
            const size_t equals = parameter.find('=');
            if (equals != std::string_view::npos && equals_ignoring_case(trim(parameter.substr(0, equals)), "rel") &&
                relations_include_next(parameter.substr(equals + 1)))
                return std::string(trim(header.substr(open + 1, close - open - 1)));
            if (semicolon == std::string_view::npos) break;
            parameters.remove_prefix(semicolon + 1);
        }
        position = end + 1;
    }
    return {};
}

ListingPage parse_listing_page(const HttpResponse& response, const std::string& url, std::string_view array_key) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(response.body)).get(root) != simdjson::SUCCESS)
        throw DataError("http_" + std::to_string(response.status), "GET " + url + ": body is not JSON");
    ListingPage page;
    simdjson::dom::array names;
    if (root[array_key].get_array().get(names) == simdjson::SUCCESS) {
        for (simdjson::dom::element name : names) {
            std::string_view text;
            if (name.get_string().get(text) == simdjson::SUCCESS) page.names.emplace_back(text);
        }
    }
    const std::string next = next_link_target(response.header("link"));
    const std::string& base = response.effective_url.empty() ? url : response.effective_url;
    page.next_url = next.empty() ? std::string() : resolve_url(base, next);
    if (page.next_url == url || page.next_url == base) {  // would never end
        page.next_url.clear();
        page.links_to_itself = true;
    }
    return page;
}

void check_listing_origin(const HttpResponse& response, const std::string& url, std::string_view registry_url) {
    if (response.effective_url.empty() || same_origin(response.effective_url, registry_url)) return;
    const auto origin = url_origin(response.effective_url);
    throw DataError("other_origin", "GET " + url + ": redirected to another origin (" +
                                        (origin ? origin->host_port() : std::string("?")) +
                                        "), whose names are not this registry's");
}

ListingWalk::ListingWalk(std::string_view registry_url, std::string listing, ListingLimits limits)
    : registry_url_(registry_url), listing_(std::move(listing)), limits_(limits) {}

void ListingWalk::resume(int64_t pages, int64_t names) {
    pages_ = pages;
    names_ = names;
}

size_t ListingWalk::names_to_keep(size_t new_names) {
    const int64_t room = std::max<int64_t>(limits_.max_names - names_, 0);
    if (int64_t(new_names) > room) {
        names_cut_ = true;
        new_names = size_t(room);
    }
    names_ += int64_t(new_names);
    return new_names;
}

std::string ListingWalk::next_page(const std::string& url, const ListingPage& page, size_t new_names) {
    const std::string& next_url = page.next_url;
    visited_.insert(url);
    pages_ += 1;
    const std::string kept = " (" + std::to_string(names_) + " names kept)";
    if (names_cut_ || (names_ >= limits_.max_names && !next_url.empty()))
        return stop(ListingEnd::name_cap, "reached the cap of " + std::to_string(limits_.max_names) + " names" + kept);
    if (page.links_to_itself) return stop(ListingEnd::cycle, "the Link leads back to the same page" + kept);
    if (next_url.empty()) {
        end_ = ListingEnd::last_page;
        return {};
    }
    if (const auto origin = url_origin(next_url); !origin || !same_origin(next_url, registry_url_)) {
        const std::string host = origin ? origin->host_port() : next_url;
        return stop(ListingEnd::other_origin,
                    "ignored a Link to another origin (" + host + "), not this registry's" + kept);
    }
    if (new_names == 0)
        return stop(ListingEnd::no_new_names, "a page added no new names" + kept);
    if (visited_.contains(next_url))
        return stop(ListingEnd::cycle, "the Link leads back to a page already listed (a cycle)" + kept);
    if (pages_ >= limits_.max_pages)
        return stop(ListingEnd::page_cap, "reached the cap of " + std::to_string(limits_.max_pages) + " pages" + kept);
    return next_url;
}

std::string ListingWalk::stop(ListingEnd end, std::string reason) {
    end_ = end;
    end_message_ = listing_ + ": stopped early: " + reason;
    return {};
}

}  // namespace regcensus
