#include "regcensus/registry/registry_client.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "registry_fixture.hpp"
#include "regcensus/manifest/manifest.hpp"
#include "regcensus/registry/http_session.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing::make_test_bytes;

std::span<const std::byte> bytes_of(const std::string& text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

template <typename Call>
std::string status_of(Call&& call) {
    try {
        call();
    } catch (const DataError& error) {
        return error.status();
    }
    return "ok";
}

// An image made of one config and the given layers, pushed into `repository`.
struct PushedImage {
    std::string config;
    std::vector<std::string> layers;
    std::string manifest;
    std::string digest;
};

std::string docker_v2_manifest(const std::string& config, const std::vector<std::string>& layers) {
    std::string manifest = R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
                           R"("config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":)" +
                           std::to_string(config.size()) + R"(,"digest":")" + Sha256::digest_of(config) +
                           R"("},"layers":[)";
    for (size_t i = 0; i < layers.size(); ++i) {
        manifest += (i ? "," : "") + std::string(R"({"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":)") +
                    std::to_string(layers[i].size()) + R"(,"digest":")" + Sha256::digest_of(layers[i]) + R"("})";
    }
    return manifest + "]}";
}

PushedImage push_image(RegistryClient& client, const std::string& repository, const std::string& tag,
                       uint64_t seed, size_t layer_bytes = 1000) {
    PushedImage image;
    image.config = R"({"architecture":"amd64","os":"linux","created":"2020-01-01T00:00:00Z","seed":)" +
                   std::to_string(seed) + "}";
    image.layers = {make_test_bytes(layer_bytes, seed), make_test_bytes(layer_bytes / 2 + 1, seed + 1000)};
    client.push_blob(repository, Sha256::digest_of(image.config), bytes_of(image.config));
    for (const auto& layer : image.layers) client.push_blob(repository, Sha256::digest_of(layer), bytes_of(layer));
    image.manifest = docker_v2_manifest(image.config, image.layers);
    image.digest = client.push_manifest(repository, tag, std::string(media_type::docker_manifest_v2), image.manifest);
    return image;
}

class RegistryClientTest : public testing::RegistryTest {
protected:
    RegistryOptions options() const {
        RegistryOptions options;
        options.url = registry_url();
        options.retries = 1;
        return options;
    }
};

TEST_F(RegistryClientTest, PushedManifestAndBlobsComeBackByteIdentical) {
    RegistryClient client(options());
    const PushedImage image = push_image(client, "roundtrip/app", "v1", 1, 100000);
    EXPECT_EQ(image.digest, Sha256::digest_of(image.manifest));

    const FetchedManifest by_tag = client.get_manifest("roundtrip/app", "v1");
    EXPECT_EQ(by_tag.bytes, image.manifest);
    EXPECT_EQ(by_tag.content_type, media_type::docker_manifest_v2);
    EXPECT_EQ(by_tag.digest, image.digest);
    const FetchedManifest by_digest = client.get_manifest("roundtrip/app", image.digest);
    EXPECT_EQ(by_digest.bytes, image.manifest);

    const Manifest parsed = parse_manifest(by_tag.bytes, by_tag.content_type);
    EXPECT_EQ(client.get_blob("roundtrip/app", parsed.config.digest, 1 << 20), image.config);
    EXPECT_EQ(client.get_blob("roundtrip/app", parsed.layers.at(0).digest, 1 << 20), image.layers[0]);
    EXPECT_TRUE(client.has_blob("roundtrip/app", parsed.layers.at(1).digest));
    EXPECT_EQ(client.tags("roundtrip/app"), std::vector<std::string>{"v1"});

    // Pushing what is there already is a no-op (has_blob first).
    EXPECT_NO_THROW(client.push_blob("roundtrip/app", Sha256::digest_of(image.config), bytes_of(image.config)));
}

TEST_F(RegistryClientTest, SizeLimitsAreTooLarge) {
    RegistryClient client(options());
    const PushedImage image = push_image(client, "limits/app", "v1", 2);
    EXPECT_EQ(status_of([&] { client.get_blob("limits/app", Sha256::digest_of(image.layers[0]), 10); }), "too_large");
    RegistryOptions small = options();
    small.max_manifest_bytes = 20;
    RegistryClient strict(small);
    EXPECT_EQ(status_of([&] { strict.get_manifest("limits/app", "v1"); }), "too_large");
}

TEST_F(RegistryClientTest, OpenBlobStreamsTwentyMebibytes) {
    RegistryClient client(options());
    const std::string blob = make_test_bytes(20 << 20, 3);
    const std::string digest = Sha256::digest_of(blob);
    client.push_blob("stream/app", digest, bytes_of(blob));

    auto source = client.open_blob("stream/app", digest);
    Sha256 sha;
    size_t total = 0, largest_chunk = 0, chunks = 0;
    for (auto chunk = source->next(); !chunk.empty(); chunk = source->next()) {
        sha.update(chunk);
        total += chunk.size();
        largest_chunk = std::max(largest_chunk, chunk.size());
        ++chunks;
    }
    EXPECT_EQ(total, blob.size());
    EXPECT_EQ(sha.finish_digest(), digest);
    EXPECT_LE(largest_chunk, size_t(1) << 20);
    EXPECT_GE(chunks, 20u);
    EXPECT_TRUE(source->next().empty());  // the end stays the end
}

TEST_F(RegistryClientTest, AbandonedStreamStopsPromptly) {
    RegistryClient client(options());
    const std::string blob = make_test_bytes(20 << 20, 4);
    const std::string digest = Sha256::digest_of(blob);
    client.push_blob("abandon/app", digest, bytes_of(blob));

    const auto start = std::chrono::steady_clock::now();
    {
        auto source = client.open_blob("abandon/app", digest);
        EXPECT_FALSE(source->next().empty());
    }  // destroyed with most of the blob unread: aborted and joined
    {
        auto never_read = client.open_blob("abandon/app", digest);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(RegistryClientTest, MissingObjectsAreUnknown) {
    RegistryClient client(options());
    const PushedImage image = push_image(client, "missing/app", "v1", 5);
    const std::string absent = "sha256:" + std::string(64, '0');

    EXPECT_EQ(status_of([&] { client.get_manifest("missing/app", "v2"); }), "manifest_unknown");
    EXPECT_EQ(status_of([&] { client.get_manifest("missing/app", absent); }), "manifest_unknown");
    EXPECT_EQ(status_of([&] { client.get_manifest("no/such/repository", "latest"); }), "manifest_unknown");
    EXPECT_EQ(status_of([&] { client.get_blob("missing/app", absent, 1000); }), "blob_unknown");
    EXPECT_FALSE(client.has_blob("missing/app", absent));
    auto source = client.open_blob("missing/app", absent);
    EXPECT_EQ(status_of([&] { source->next(); }), "blob_unknown");

    try {
        client.get_manifest("missing/app", "v2");
    } catch (const DataError& error) {
        // The registry's own code and message travel in the text.
        EXPECT_NE(std::string(error.what()).find("MANIFEST_UNKNOWN"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("missing/app"), std::string::npos) << error.what();
    }
}

TEST_F(RegistryClientTest, DeletedBlobIsGone) {
    RegistryClient client(options());
    const std::string blob = make_test_bytes(5000, 6);
    const std::string digest = Sha256::digest_of(blob);
    client.push_blob("delete/app", digest, bytes_of(blob));
    ASSERT_TRUE(client.has_blob("delete/app", digest));
    client.delete_blob("delete/app", digest);
    EXPECT_FALSE(client.has_blob("delete/app", digest));
    EXPECT_EQ(status_of([&] { client.get_blob("delete/app", digest, 1 << 20); }), "blob_unknown");
    EXPECT_EQ(status_of([&] { client.delete_blob("delete/app", digest); }), "blob_unknown");
}

TEST_F(RegistryClientTest, CatalogAndTagsFollowPagination) {
    RegistryOptions paged = options();
    paged.page_size = 7;
    RegistryClient client(paged);
    std::set<std::string> expected;
    for (int i = 0; i < 110; ++i) {
        const std::string repository = "paged/repo" + std::to_string(1000 + i);
        push_image(client, repository, "v1", 100 + i, 16);
        expected.insert(repository);
    }
    for (int i = 0; i < 15; ++i) push_image(client, "paged/tagged", "t" + std::to_string(10 + i), 7, 16);

    const std::vector<std::string> catalog = client.catalog();
    const std::set<std::string> listed(catalog.begin(), catalog.end());
    EXPECT_EQ(listed.size(), catalog.size()) << "a page was listed twice";
    for (const auto& repository : expected) EXPECT_TRUE(listed.count(repository)) << repository;

    // The listing above really went through pages: the registry honours `n` and links the next one.
    HttpSession session(HttpPolicy{});
    HttpRequest first_page;
    first_page.url = registry_url() + "/v2/_catalog?n=7";
    const HttpResponse page = session.perform(first_page, 1 << 20);
    EXPECT_NE(page.header("link").find("rel=\"next\""), std::string::npos);
    // distribution 2.8 ignores `n` on tags/list (one page, no Link); newer registries page it.

    const std::vector<std::string> tags = client.tags("paged/tagged");
    EXPECT_EQ(std::set<std::string>(tags.begin(), tags.end()).size(), 15u);
    EXPECT_EQ(tags.size(), 15u);
}

TEST_F(RegistryClientTest, UnreachableRegistryIsNetwork) {
    RegistryOptions unreachable;
    unreachable.url = "http://127.0.0.1:" + std::to_string(testing::pick_free_loopback_port());
    unreachable.retries = 1;
    RegistryClient client(unreachable);
    EXPECT_EQ(status_of([&] { client.get_manifest("app", "latest"); }), "network");
    auto source = client.open_blob("app", "sha256:" + std::string(64, '1'));
    EXPECT_EQ(status_of([&] { source->next(); }), "network");
}

TEST_F(RegistryClientTest, BlobRedirectToAnotherOriginIsFollowed) {
    RegistryClient client(options());
    const std::string blob = make_test_bytes(70000, 8);
    const std::string digest = Sha256::digest_of(blob);
    client.push_blob("redirect/app", digest, bytes_of(blob));

    // A front that sends blob requests to "storage" elsewhere, as registries on S3 do.
    testing::ScriptedServer front({"HTTP/1.1 307 Temporary Redirect\r\nLocation: " + registry_url() + "/v2/redirect/app/blobs/" +
                        digest + "\r\nContent-Length: 9\r\n\r\nredirect!"});
    RegistryOptions via_front = options();
    via_front.url = front.url();
    via_front.retries = 0;
    RegistryClient redirected(via_front);
    EXPECT_EQ(redirected.get_blob("redirect/app", digest, 1 << 20), blob);
}

TEST(RegistryClientTransfer, ShortBodyIsTruncated) {
    // Announces more bytes than it sends.
    testing::ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + std::string(1000, 'x')});
    RegistryOptions options;
    options.url = server.url();
    options.retries = 0;
    RegistryClient client(options);
    auto source = client.open_blob("app", "sha256:" + std::string(64, '2'));
    std::string status = "ok";
    try {
        while (!source->next().empty()) {
        }
    } catch (const DataError& error) {
        status = error.status();
    }
    EXPECT_EQ(status, "truncated_transfer");
}

}  // namespace
}  // namespace regcensus
