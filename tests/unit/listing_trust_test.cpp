// The rule for following listing pages (ListingWalk), origins, the grammar of
// repository and tag names that listings are checked against, and the checks
// of an image list.
#include <gtest/gtest.h>

#include <fstream>

#include "registry_fixture.hpp"
#include "regcensus/census/image_list.hpp"
#include "regcensus/registry/listing_page.hpp"
#include "regcensus/registry/repository_name.hpp"
#include "regcensus/registry/url_origin.hpp"

using namespace regcensus;

namespace {

const std::string kRegistry = "http://127.0.0.1:5000";

ListingPage page_linking_to(std::string next) {
    ListingPage page;
    page.names = {"a"};
    page.next_url = std::move(next);
    return page;
}

}  // namespace

TEST(ListingWalk, FollowsSameOriginPagesToTheLastOne) {
    ListingWalk walk(kRegistry, "the catalog");
    const std::string second = kRegistry + "/v2/_catalog?last=a&n=1";
    EXPECT_EQ(walk.next_page(kRegistry + "/v2/_catalog?n=1", page_linking_to(second), 1), second);
    EXPECT_EQ(walk.next_page(second, page_linking_to(""), 1), "");
    EXPECT_EQ(walk.end(), ListingEnd::last_page);
    EXPECT_FALSE(walk.cut_short());
    EXPECT_EQ(walk.end_message(), "");
    EXPECT_EQ(walk.pages(), 2);
}

TEST(ListingWalk, ACycleOfPagesEndsTheWalk) {
    ListingWalk walk(kRegistry, "the catalog");
    const std::string first = kRegistry + "/v2/_catalog?n=1", second = kRegistry + "/v2/_catalog?last=a&n=1";
    EXPECT_EQ(walk.next_page(first, page_linking_to(second), 1), second);
    EXPECT_EQ(walk.next_page(second, page_linking_to(first), 1), "");
    EXPECT_EQ(walk.end(), ListingEnd::cycle);
    EXPECT_TRUE(walk.cut_short());
    EXPECT_NE(walk.end_message().find("the catalog: stopped early"), std::string::npos) << walk.end_message();
}

TEST(ListingWalk, APageLinkingToItselfIsACycle) {
    ListingWalk walk(kRegistry, "the tags of app");
    ListingPage page;
    page.names = {"v1"};
    page.links_to_itself = true;
    EXPECT_EQ(walk.next_page(kRegistry + "/v2/app/tags/list", page, 1), "");
    EXPECT_EQ(walk.end(), ListingEnd::cycle);
}

TEST(ListingWalk, OnlyTheRegistrysOriginIsFollowed) {
    for (const std::string other : {"http://127.0.0.1:5001/v2/_catalog?last=a", "https://127.0.0.1:5000/v2/_catalog",
                                    "http://localhost:5000/v2/_catalog", "http://evil.example/v2/_catalog",
                                    "ftp://127.0.0.1:5000/x", "not a url"}) {
        ListingWalk walk(kRegistry, "the catalog");
        EXPECT_EQ(walk.next_page(kRegistry + "/v2/_catalog", page_linking_to(other), 1), "") << other;
        EXPECT_EQ(walk.end(), ListingEnd::other_origin) << other;
    }
    ListingWalk walk(kRegistry, "the catalog");
    EXPECT_EQ(walk.next_page(kRegistry + "/v2/_catalog", page_linking_to("http://evil.example:81/x"), 1), "");
    EXPECT_NE(walk.end_message().find("evil.example:81"), std::string::npos) << walk.end_message();
    // Case, userinfo and an explicit default port do not change the origin.
    ListingWalk same("https://Registry.Example", "the catalog");
    EXPECT_EQ(same.next_page("https://registry.example/v2/_catalog",
                             page_linking_to("HTTPS://user@registry.example:443/v2/_catalog?last=a"), 1),
              "HTTPS://user@registry.example:443/v2/_catalog?last=a");
}

TEST(ListingWalk, APageWithoutNewNamesEndsTheWalk) {
    ListingWalk walk(kRegistry, "the catalog");
    EXPECT_EQ(walk.next_page(kRegistry + "/v2/_catalog?n=1", page_linking_to(kRegistry + "/v2/_catalog?last=x"), 0),
              "");
    EXPECT_EQ(walk.end(), ListingEnd::no_new_names);
}

TEST(ListingWalk, PageCap) {
    ListingWalk walk(kRegistry, "the catalog", {3, 1000});
    std::string url = kRegistry + "/v2/_catalog?n=1";
    int fetched = 0;
    for (int i = 0; !url.empty(); ++i) {
        ++fetched;
        url = walk.next_page(url, page_linking_to(kRegistry + "/v2/_catalog?last=" + std::to_string(i)), 1);
    }
    EXPECT_EQ(fetched, 3);
    EXPECT_EQ(walk.end(), ListingEnd::page_cap);
}

TEST(ListingWalk, PageCapCountsResumedPages) {
    ListingWalk walk(kRegistry, "the catalog", {3, 1000});
    walk.resume(2, 2);
    EXPECT_EQ(walk.next_page(kRegistry + "/v2/_catalog?last=1", page_linking_to(kRegistry + "/v2/_catalog?last=2"),
                             1),
              "");
    EXPECT_EQ(walk.end(), ListingEnd::page_cap);
}

TEST(ListingWalk, NameCapKeepsTheFirstNames) {
    ListingWalk walk(kRegistry, "the catalog", {100, 5});
    EXPECT_EQ(walk.names_to_keep(3), 3u);
    EXPECT_NE(walk.next_page(kRegistry + "/v2/_catalog", page_linking_to(kRegistry + "/v2/_catalog?last=c"), 3), "");
    EXPECT_EQ(walk.names_to_keep(3), 2u);
    EXPECT_EQ(walk.next_page(kRegistry + "/v2/_catalog?last=c", page_linking_to(kRegistry + "/v2/_catalog?last=f"),
                             2),
              "");
    EXPECT_EQ(walk.end(), ListingEnd::name_cap);
    EXPECT_EQ(walk.names(), 5);
}

TEST(UrlOrigin, Parts) {
    const auto origin = url_origin("HTTP://User:Pw@127.0.0.1:5000/v2/?x");
    ASSERT_TRUE(origin);
    EXPECT_EQ(origin->str(), "http://127.0.0.1:5000");
    EXPECT_EQ(url_origin("https://[::1]/v2/")->host_port(), "[::1]:443");
    EXPECT_FALSE(url_origin("http://host:99999/"));
    EXPECT_FALSE(url_origin("http://:80/"));
    EXPECT_FALSE(url_origin("/v2/_catalog"));
}

TEST(UrlOrigin, ReferenceHostsNamingTheRegistry) {
    EXPECT_TRUE(reference_host_names_registry("127.0.0.1:5000", "http://127.0.0.1:5000"));
    EXPECT_FALSE(reference_host_names_registry("127.0.0.1:5001", "http://127.0.0.1:5000"));
    EXPECT_FALSE(reference_host_names_registry("127.0.0.1", "http://127.0.0.1:5000"));
    EXPECT_FALSE(reference_host_names_registry("ghcr.io", "http://127.0.0.1:5000"));
    EXPECT_TRUE(reference_host_names_registry("Registry.Example", "https://registry.example"));
    EXPECT_TRUE(reference_host_names_registry("registry.example:443", "https://registry.example/"));
    EXPECT_FALSE(reference_host_names_registry("registry.example:80", "https://registry.example"));
    for (const char* hub : {"docker.io", "index.docker.io", "registry-1.docker.io"})
        EXPECT_TRUE(reference_host_names_registry(hub, "https://registry-1.docker.io")) << hub;
    EXPECT_FALSE(reference_host_names_registry("docker.io", "https://ghcr.io"));
}

TEST(RepositoryName, Grammar) {
    for (const char* good : {"a", "library/nginx", "team0/app-x", "a.b_c__d---e/f", "x/y/z", "0"})
        EXPECT_TRUE(is_repository_name(good)) << good;
    for (const char* bad : {"", "bad name", "Upper", "a//b", "/a", "a/", "-a", "a-", "a___b", "a..b", "../x",
                            "a/./b", "a:b", "a\nb", "café"})
        EXPECT_FALSE(is_repository_name(bad)) << bad;
    EXPECT_TRUE(is_repository_name(std::string(255, 'a')));
    EXPECT_FALSE(is_repository_name(std::string(256, 'a')));
}

TEST(RepositoryName, TagGrammar) {
    for (const char* good : {"latest", "v1.0", "_x", "A-b.C_d", "1"}) EXPECT_TRUE(is_tag_name(good)) << good;
    for (const char* bad : {"", ".x", "-x", "a b", "a/b", "a:b", "a\tb", "é"}) EXPECT_FALSE(is_tag_name(bad)) << bad;
    EXPECT_TRUE(is_tag_name(std::string(128, 'a')));
    EXPECT_FALSE(is_tag_name(std::string(129, 'a')));
}

namespace {

std::string write_list(const regcensus::testing::TempDirectory& directory, const std::string& text) {
    const auto path = (directory.path() / "images.txt").string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// The message of the error load_image_list throws ("" when it does not).
std::string list_error(const std::string& path, bool docker_hub = false) {
    try {
        load_image_list(path, docker_hub);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ImageList, DuplicatesAreKeptOnceTheFirstLineWinning) {
    regcensus::testing::TempDirectory directory;
    const auto path = write_list(directory, "#reference\tpull_count\nnginx\t5\n  nginx  \t6\nlibrary/nginx:latest\t7\n"
                                            "docker.io/library/nginx\t8\nteam/app:1\n# nginx\nteam/app:1\n");
    const auto hub = load_image_list(path, true);
    ASSERT_EQ(hub.entries.size(), 2u);
    EXPECT_EQ(hub.entries[0].reference, "nginx");
    EXPECT_EQ(hub.entries[0].pull_count, 5);
    EXPECT_EQ(hub.entries[0].line_number, 2);
    EXPECT_EQ(hub.entries[1].reference, "team/app:1");
    EXPECT_EQ(hub.duplicates, 4);
    // Elsewhere `nginx` is not `library/nginx`: only the same text is a duplicate.
    const auto other = load_image_list(path, false);
    ASSERT_EQ(other.entries.size(), 4u);
    EXPECT_EQ(other.entries[1].reference, "library/nginx:latest");
    EXPECT_EQ(other.entries[2].reference, "docker.io/library/nginx");
    EXPECT_EQ(other.duplicates, 2);
}

TEST(ImageList, WhatIsNotAListIsAnError) {
    regcensus::testing::TempDirectory directory;
    const std::string dir = directory.path().string();
    EXPECT_EQ(list_error(dir), "image list " + dir + " is a directory, not a file");
    EXPECT_EQ(list_error(dir + "/missing"), "cannot read image list " + dir + "/missing: No such file or directory");
    EXPECT_EQ(list_error("/dev/zero"), "image list /dev/zero:1: a NUL byte: not an image list");
    auto path = write_list(directory, "a:1\n" + std::string(kMaxImageListLineBytes + 1, 'x'));
    EXPECT_EQ(list_error(path), "image list " + path + ":2: a line longer than 65536 bytes: not an image list");
    path = write_list(directory, "a:1\n" + std::string(kMaxImageListLineBytes, 'x') + "\n");
    EXPECT_EQ(list_error(path), "");
    path = write_list(directory, "# only comments\n\n   \n");
    EXPECT_EQ(list_error(path), "no images in " + path);
    path = write_list(directory, "a:1");  // no final newline
    EXPECT_EQ(read_image_list(path).size(), 1u);
}
