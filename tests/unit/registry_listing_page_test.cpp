#include <gtest/gtest.h>

#include "regcensus/crawl/link_header.hpp"

using regcensus::crawl::next_link_target;

TEST(CrawlLinkHeader, DistributionCatalogLink) {
    EXPECT_EQ(next_link_target(R"(</v2/_catalog?last=repo0049&n=50>; rel="next")"), "/v2/_catalog?last=repo0049&n=50");
}

TEST(CrawlLinkHeader, UnquotedAndUppercaseRel) {
    EXPECT_EQ(next_link_target("<page2>; REL=next"), "page2");
}

TEST(CrawlLinkHeader, NextAmongSeveralEntriesAndRelationTypes) {
    const char* header =
        R"(<https://r.example/v2/_catalog?n=1>; rel="prev", <https://r.example/v2/_catalog?last=b,c&n=1>; title="a, b"; rel="last next")";
    EXPECT_EQ(next_link_target(header), "https://r.example/v2/_catalog?last=b,c&n=1");
}

TEST(CrawlLinkHeader, NoNext) {
    EXPECT_EQ(next_link_target(""), "");
    EXPECT_EQ(next_link_target(R"(</v2/_catalog?n=1>; rel="prev")"), "");
    EXPECT_EQ(next_link_target(R"(</x>; rel="nextpage")"), "");
    EXPECT_EQ(next_link_target("<unterminated; rel=next"), "");
}
