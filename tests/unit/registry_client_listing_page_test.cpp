// RegistryClient::listing_page, the catalog crawler's one request: pages of
// this registry only, 404 as "no listing", names and the next link parsed.
#include <gtest/gtest.h>

#include "registry_fixture.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

RegistryOptions options_for(const testing::ScriptedServer& server) {
    RegistryOptions options;
    options.url = server.url();
    options.retries = 0;
    options.log_retries = false;
    return options;
}

TEST(RegistryListingPage, ReadsNamesAndTheNextLink) {
    testing::ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLink: "
                                    "</v2/_catalog?last=b&n=2>; rel=\"next\"\r\nContent-Length: 28\r\n"
                                    "Connection: close\r\n\r\n{\"repositories\": [\"a\", \"b\"]}"});
    RegistryClient client(options_for(server));
    const auto page = client.listing_page(server.url() + "/v2/_catalog?n=2", "");
    ASSERT_TRUE(page);
    EXPECT_EQ(page->names, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(page->next_url, server.url() + "/v2/_catalog?last=b&n=2");
}

TEST(RegistryListingPage, A404IsNoListing) {
    testing::ScriptedServer server({"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"});
    RegistryClient client(options_for(server));
    EXPECT_FALSE(client.listing_page(server.url() + "/v2/gone/tags/list?n=10", "gone"));
}

TEST(RegistryListingPage, AUrlOfAnotherOriginIsNotRequested) {
    testing::ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"});
    testing::ScriptedServer elsewhere({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"});
    RegistryClient client(options_for(server));
    try {
        client.listing_page(elsewhere.url() + "/v2/_catalog", "");
        FAIL() << "expected other_origin";
    } catch (const DataError& error) {
        EXPECT_EQ(error.status(), "other_origin");
    }
    EXPECT_TRUE(elsewhere.requests().empty());
    EXPECT_TRUE(server.requests().empty());
}

}  // namespace
}  // namespace regcensus
