#include <gtest/gtest.h>

#include "regcensus/crawl/hub_client.hpp"
#include "regcensus/registry/rate_limit_headers.hpp"

using namespace regcensus::crawl;
using regcensus::requested_pause;
using Clock = std::chrono::system_clock;

TEST(CrawlHubResponse, NamespacePage) {
    const auto page = parse_namespace_page(R"({"count": 3, "next": "https://hub.docker.com/v2/namespaces/library/repositories?page=2&page_size=2", "previous": null,
      "results": [
        {"name": "nginx", "namespace": "library", "repository_type": "image", "status": 1, "is_private": false,
         "star_count": 19000, "pull_count": 1000000000, "last_updated": "2024-05-01T12:00:00.123456Z"},
        {"name": "secret", "namespace": "library", "is_private": true, "star_count": 0, "pull_count": 0, "last_updated": null}
      ]})");
    EXPECT_EQ(page.count, 3);
    EXPECT_EQ(page.next, "https://hub.docker.com/v2/namespaces/library/repositories?page=2&page_size=2");
    ASSERT_EQ(page.results.size(), 2u);
    EXPECT_EQ(page.results[0].namespace_name, "library");
    EXPECT_EQ(page.results[0].name, "nginx");
    EXPECT_EQ(page.results[0].pull_count, 1000000000);
    EXPECT_EQ(page.results[0].star_count, 19000);
    EXPECT_EQ(page.results[0].last_updated, "2024-05-01T12:00:00.123456Z");
    EXPECT_TRUE(page.results[0].is_official);
    EXPECT_TRUE(page.results[1].is_private);
    EXPECT_EQ(page.results[1].last_updated, "");
}

TEST(CrawlHubResponse, SearchPage) {
    const auto page = parse_search_page(R"({"count": 5, "next": null, "previous": null, "results": [
        {"repo_name": "nginx", "short_description": "", "star_count": 10, "pull_count": 20, "repo_owner": "", "is_automated": false, "is_official": true},
        {"repo_name": "bitnami/nginx", "star_count": 1, "pull_count": 2, "is_automated": false, "is_official": false},
        {"short_description": "no name"}]})");
    EXPECT_EQ(page.count, 5);
    EXPECT_EQ(page.next, "");
    ASSERT_EQ(page.results.size(), 2u);
    EXPECT_EQ(page.results[0].namespace_name, "library");
    EXPECT_EQ(page.results[0].name, "nginx");
    EXPECT_TRUE(page.results[0].is_official);
    EXPECT_EQ(page.results[1].namespace_name, "bitnami");
    EXPECT_FALSE(page.results[1].is_official);
    EXPECT_THROW(parse_search_page("{\"count\": 1}"), std::runtime_error);
}

TEST(CrawlHubResponse, RepositoryInfo) {
    const auto info = parse_repository_info(R"({"user": "bitnami", "name": "nginx", "namespace": "bitnami",
        "repository_type": "image", "status": 1, "is_private": false, "star_count": 150, "pull_count": 1234567890123,
        "last_updated": "2024-05-01T12:00:00.123456Z", "date_registered": "2015-01-01T00:00:00Z", "affiliation": null})");
    EXPECT_EQ(info.namespace_name, "bitnami");
    EXPECT_EQ(info.name, "nginx");
    EXPECT_EQ(info.pull_count, 1234567890123);
    EXPECT_EQ(info.star_count, 150);
    EXPECT_EQ(info.last_updated, "2024-05-01T12:00:00.123456Z");
    EXPECT_FALSE(info.is_private);
    const auto sparse = parse_repository_info(R"({"name": "x", "namespace": "y", "last_updated": null})");
    EXPECT_EQ(sparse.pull_count, -1);
    EXPECT_EQ(sparse.last_updated, "");
    EXPECT_THROW(parse_repository_info("[1, 2]"), std::runtime_error);
    EXPECT_THROW(parse_repository_info("not json"), std::runtime_error);
    EXPECT_EQ(repository_info_url("https://hub.docker.com/", "bitnami", "nginx"),
              "https://hub.docker.com/v2/repositories/bitnami/nginx/");
}

TEST(CrawlHubResponse, FirstPageUrls) {
    EXPECT_EQ(namespace_listing_url("http://127.0.0.1:9/", "library", 100),
              "http://127.0.0.1:9/v2/namespaces/library/repositories?page_size=100&page=1");
    EXPECT_EQ(search_url("https://hub.docker.com", "a b", 50),
              "https://hub.docker.com/v2/search/repositories/?query=a%20b&page_size=50&page=1");
}

TEST(CrawlRateLimitHeaders, RetryAfterAndReset) {
    const auto now = Clock::time_point(std::chrono::seconds(1000));
    regcensus::HttpResponse limited;
    limited.status = 429;
    limited.headers = {{"x-retry-after", "1010"}, {"retry-after", "3"}};
    EXPECT_EQ(requested_pause(limited, now), Clock::time_point(std::chrono::seconds(1010)));
    limited.headers = {{"retry-after", "3"}};
    EXPECT_EQ(requested_pause(limited, now), now + std::chrono::seconds(3));
    limited.headers = {};
    EXPECT_EQ(requested_pause(limited, now), std::nullopt);

    regcensus::HttpResponse spent;
    spent.status = 200;
    spent.headers = {{"x-ratelimit-limit", "180"}, {"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1060"}};
    EXPECT_EQ(requested_pause(spent, now), Clock::time_point(std::chrono::seconds(1060)));
    spent.headers[1].second = "5";
    EXPECT_EQ(requested_pause(spent, now), std::nullopt);
}
