#include <gtest/gtest.h>

#include "regcensus/crawl/prefix_expansion.hpp"

using namespace regcensus::crawl;

TEST(CrawlPrefixExpansion, CapIsFewerResultsThanAnnounced) {
    EXPECT_TRUE(hit_page_cap(250, 200));
    EXPECT_FALSE(hit_page_cap(200, 200));
    EXPECT_FALSE(hit_page_cap(-1, 100));  // no count announced: nothing to compare with
    EXPECT_FALSE(hit_page_cap(0, 0));
}

TEST(CrawlPrefixExpansion, AppendsEachCharacterInOrder) {
    EXPECT_EQ(expand_prefix("ng", "abc", 6), (std::vector<std::string>{"nga", "ngb", "ngc"}));
    const auto full = expand_prefix("a", kRepositoryNameAlphabet, 6);
    ASSERT_EQ(full.size(), kRepositoryNameAlphabet.size());
    EXPECT_EQ(full.front(), "aa");
    EXPECT_EQ(full.back(), "a.");
}

TEST(CrawlPrefixExpansion, StopsAtMaximumLength) {
    EXPECT_TRUE(expand_prefix("abc", "xy", 3).empty());
    EXPECT_EQ(expand_prefix("ab", "xy", 3).size(), 2u);
}
