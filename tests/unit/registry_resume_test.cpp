// Transfers that break mid-body resume with Range; Retry-After; Basic
// credentials never follow a redirect to another port. Scripted loopback
// servers answer one connection per scripted response and record the requests.
#include <fstream>

#include <gtest/gtest.h>

#include "registry_fixture.hpp"
#include "regcensus/util/base64.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/request_pacer.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing::drain;
using testing::ScriptedServer;

std::string header_of(const std::string& request, const std::string& name) {
    const size_t at = request.find("\r\n" + name + ": ");
    if (at == std::string::npos) return {};
    const size_t start = at + name.size() + 4;
    return request.substr(start, request.find("\r\n", start) - start);
}

RegistryOptions options_for(const std::string& url) {
    RegistryOptions options;
    options.url = url;
    options.retries = 2;
    options.auth_file = "";
    return options;
}

const std::string kBlob = testing::make_test_bytes(200000, 77);

TEST(RegistryResume, BrokenStreamResumesWithRangeAnd206) {
    ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + kBlob.substr(0, 70000),
                           "HTTP/1.1 206 Partial Content\r\nContent-Length: 130000\r\nContent-Range: bytes 70000-199999/200000\r\n\r\n" +
                               kBlob.substr(70000)});
    RegistryClient client(options_for(server.url()));
    auto source = client.open_blob("app", Sha256::digest_of(kBlob), int64_t(kBlob.size()));
    EXPECT_EQ(drain(*source), kBlob);
    const auto requests = server.requests();
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(header_of(requests[0], "Range"), "");
    EXPECT_EQ(header_of(requests[1], "Range"), "bytes=70000-");
}

TEST(RegistryResume, ServerIgnoringRangeRestartsAndTheFirstBytesAreSkipped) {
    ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + kBlob.substr(0, 70000),
                           "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + kBlob});
    RegistryClient client(options_for(server.url()));
    std::string received;
    const int64_t count = client.download_blob("app", Sha256::digest_of(kBlob), int64_t(kBlob.size()),
                                               [&](std::span<const std::byte> bytes) {
                                                   received.append(reinterpret_cast<const char*>(bytes.data()),
                                                                   bytes.size());
                                                   return true;
                                               });
    EXPECT_EQ(count, int64_t(kBlob.size()));
    EXPECT_EQ(received, kBlob);
}

TEST(RegistryResume, SizeDifferentFromTheDescriptorIsSizeMismatch) {
    ScriptedServer server({"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + kBlob});
    RegistryClient client(options_for(server.url()));
    auto source = client.open_blob("app", Sha256::digest_of(kBlob), 1000);
    std::string status = "ok";
    try {
        drain(*source);
    } catch (const DataError& error) {
        status = error.status();
    }
    EXPECT_EQ(status, "size_mismatch");
}

TEST(RegistryResume, RetryAfterAsHttpDateIsHonouredAnd429ThenSucceeds) {
    // A date in the past: no wait beyond the backoff, but it must parse and not fail the request.
    ScriptedServer server({"HTTP/1.1 429 Too Many Requests\r\nRetry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n",
                           "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + kBlob});
    RegistryClient client(options_for(server.url()));
    EXPECT_EQ(client.get_blob("app", Sha256::digest_of(kBlob), 1 << 20), kBlob);
    EXPECT_EQ(server.requests().size(), 2u);
}

TEST(RegistryResume, BasicCredentialsDoNotFollowARedirectToAnotherPort) {
    testing::TempDirectory directory;
    ScriptedServer storage({"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + kBlob});
    ScriptedServer front({"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\n\r\n",
                          "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + storage.url() +
                              "/blob\r\nContent-Length: 0\r\n\r\n"});
    const auto config = directory.path() / "config.json";
    std::ofstream(config) << R"({"auths":{")" << front.url().substr(7) << R"(":{"auth":")"
                          << base64_encode("alice:secret") << R"("}}})";
    RegistryOptions options = options_for(front.url());
    options.auth_file = config.string();
    RegistryClient client(options);
    EXPECT_EQ(client.get_blob("app", Sha256::digest_of(kBlob), 1 << 20), kBlob);
    ASSERT_EQ(front.requests().size(), 2u);
    EXPECT_EQ(header_of(front.requests()[1], "Authorization"), "Basic " + base64_encode("alice:secret"));
    ASSERT_EQ(storage.requests().size(), 1u);
    EXPECT_EQ(header_of(storage.requests()[0], "Authorization"), "");
}

TEST(RequestPacer, StopsBeforeAnAnnouncedQuotaIsExhausted) {
    RequestPacer pacer(0, 1);
    EXPECT_NO_THROW(pacer.before_request());
    pacer.after_response("100;w=21600", "2;w=21600");
    EXPECT_NO_THROW(pacer.before_request());
    pacer.after_response("100;w=21600", "1;w=21600");
    EXPECT_EQ(pacer.quota().limit, 100);
    EXPECT_EQ(pacer.quota().remaining, 1);
    EXPECT_EQ(pacer.quota().window_s, 21600);
    try {
        pacer.before_request();
        FAIL() << "expected rate_limited";
    } catch (const DataError& error) {
        EXPECT_EQ(error.status(), "rate_limited");
    }
}

}  // namespace
}  // namespace regcensus
