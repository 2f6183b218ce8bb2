#include <gtest/gtest.h>

#include "regcensus/registry/listing_page.hpp"
#include "regcensus/util/data_error.hpp"

using regcensus::next_link_target;

TEST(LinkHeader, DistributionCatalogLink) {
    EXPECT_EQ(next_link_target(R"(</v2/_catalog?last=repo0049&n=50>; rel="next")"), "/v2/_catalog?last=repo0049&n=50");
}

TEST(LinkHeader, UnquotedAndUppercaseRel) {
    EXPECT_EQ(next_link_target("<page2>; REL=next"), "page2");
}

TEST(LinkHeader, NextAmongSeveralEntriesAndRelationTypes) {
    const char* header =
        R"(<https://r.example/v2/_catalog?n=1>; rel="prev", <https://r.example/v2/_catalog?last=b,c&n=1>; title="a, b"; rel="last next")";
    EXPECT_EQ(next_link_target(header), "https://r.example/v2/_catalog?last=b,c&n=1");
}

TEST(LinkHeader, NoNext) {
    EXPECT_EQ(next_link_target(""), "");
    EXPECT_EQ(next_link_target(R"(</v2/_catalog?n=1>; rel="prev")"), "");
    EXPECT_EQ(next_link_target(R"(</x>; rel="nextpage")"), "");
    EXPECT_EQ(next_link_target("<unterminated; rel=next"), "");
}

namespace {

regcensus::HttpResponse listing_response(std::string body, std::string link, std::string effective_url) {
    regcensus::HttpResponse response;
    response.status = 200;
    response.body = std::move(body);
    response.effective_url = std::move(effective_url);
    if (!link.empty()) response.headers.emplace_back("link", std::move(link));
    return response;
}

}  // namespace

TEST(ListingPage, NamesAndTheNextPageResolvedAgainstTheFinalUrl) {
    const auto page = regcensus::parse_listing_page(
        listing_response(R"({"repositories":["a/b","c"]})", R"(</v2/_catalog?last=c&n=2>; rel="next")",
                         "http://127.0.0.1:5000/v2/_catalog?n=2"),
        "http://127.0.0.1:5000/v2/_catalog?n=2", "repositories");
    EXPECT_EQ(page.names, (std::vector<std::string>{"a/b", "c"}));
    EXPECT_EQ(page.next_url, "http://127.0.0.1:5000/v2/_catalog?last=c&n=2");
}

TEST(ListingPage, NullTagsAndASelfLinkEndTheListing) {
    const std::string url = "http://r/v2/app/tags/list?n=5";
    const auto page = regcensus::parse_listing_page(
        listing_response(R"({"name":"app","tags":null})", "<" + url + ">; rel=next", url), url, "tags");
    EXPECT_TRUE(page.names.empty());
    EXPECT_EQ(page.next_url, "");
}

TEST(ListingPage, ABodyThatIsNotJsonIsAnError) {
    std::string status;
    try {
        regcensus::parse_listing_page(listing_response("<html>", "", ""), "http://r/v2/_catalog", "repositories");
    } catch (const regcensus::DataError& error) {
        status = error.status();
    }
    EXPECT_EQ(status, "http_200");
}
