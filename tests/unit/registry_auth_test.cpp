// Authentication against a real docker-registry: htpasswd (Basic) and token
// auth (Bearer, with the token server of tests/integration/token_server.py),
// credentials from docker config.json files and credential helpers.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "registry_fixture.hpp"
#include "regcensus/manifest/manifest.hpp"
#include "regcensus/registry/auth_challenge.hpp"
#include "regcensus/util/base64.hpp"
#include "regcensus/registry/credentials.hpp"
#include "regcensus/registry/http_session.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing::ChildProcess;
using testing::RegistryProcess;
using testing::TempDirectory;

const std::filesystem::path kTokenServer =
    std::filesystem::path(__FILE__).parent_path().parent_path() / "integration" / "token_server.py";

std::string run_capture(const std::string& command) {
    std::string output;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("popen failed");
    char buffer[4096];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
    if (pclose(pipe) != 0) throw std::runtime_error("command failed: " + command);
    return output;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
}

std::string host_of(const std::string& url) { return url.substr(url.find("://") + 3); }

std::string auths_config(const std::string& host, const std::string& user, const std::string& password) {
    return R"({"auths":{")" + host + R"(":{"auth":")" + base64_encode(user + ":" + password) + R"("}}})";
}

template <typename Call>
std::pair<std::string, std::string> failure_of(Call&& call) {
    try {
        call();
    } catch (const DataError& error) {
        return {error.status(), error.what()};
    }
    return {"ok", ""};
}

// A one-layer image pushed with `client`; returns the manifest digest.
std::string push_small_image(RegistryClient& client, const std::string& repository, const std::string& tag) {
    const std::string config = R"({"architecture":"amd64","os":"linux","created":"2021-01-01T00:00:00Z"})";
    const std::string layer = testing::make_test_bytes(5000, 42);
    auto bytes = [](const std::string& s) { return std::as_bytes(std::span(s.data(), s.size())); };
    client.push_blob(repository, Sha256::digest_of(config), bytes(config));
    client.push_blob(repository, Sha256::digest_of(layer), bytes(layer));
    const std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":)" +
        std::to_string(config.size()) + R"(,"digest":")" + Sha256::digest_of(config) +
        R"("},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":)" +
        std::to_string(layer.size()) + R"(,"digest":")" + Sha256::digest_of(layer) + R"("}]})";
    return client.push_manifest(repository, tag, std::string(media_type::docker_manifest_v2), manifest);
}

TEST(AuthChallenge, ParsesBearerAndBasicChallenges) {
    const auto challenges = parse_www_authenticate(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/debian:pull",error="insufficient_scope", Basic realm="x")");
    ASSERT_EQ(challenges.size(), 2u);
    EXPECT_EQ(challenges[0].scheme, "bearer");
    EXPECT_EQ(challenges[0].param("realm"), "https://auth.docker.io/token");
    EXPECT_EQ(challenges[0].param("service"), "registry.docker.io");
    EXPECT_EQ(challenges[0].param("scope"), "repository:library/debian:pull");
    EXPECT_EQ(challenges[0].param("error"), "insufficient_scope");
    EXPECT_EQ(challenges[1].scheme, "basic");
    EXPECT_EQ(challenges[1].param("realm"), "x");
}

TEST(Base64, RoundTrips) {
    EXPECT_EQ(base64_encode("alice:s3cret"), "YWxpY2U6czNjcmV0");
    EXPECT_EQ(base64_encode("a"), "YQ==");
    EXPECT_EQ(base64_encode("ab"), "YWI=");
    EXPECT_EQ(base64_decode("YWxpY2U6czNjcmV0").value(), "alice:s3cret");
    EXPECT_EQ(base64_decode("YQ==").value(), "a");
    EXPECT_FALSE(base64_decode("Y!Q").has_value());
}

TEST(Credentials, DockerHubKeyAndKeyNormalization) {
    TempDirectory directory;
    const auto file = directory.path() / "config.json";
    write_text(file, R"({"auths":{"https://index.docker.io/v1/":{"auth":")" + base64_encode("hubuser:hubpass") +
                         R"("},"http://127.0.0.1:5000/v2/":{"identitytoken":"refresh-me"}}})");
    EXPECT_EQ(credential_key("registry-1.docker.io"), "https://index.docker.io/v1/");
    for (const char* host : {"registry-1.docker.io", "docker.io", "index.docker.io"}) {
        const auto credential = load_credential(file, host);
        ASSERT_TRUE(credential.has_value()) << host;
        EXPECT_EQ(credential->username, "hubuser");
        EXPECT_EQ(credential->password, "hubpass");
    }
    const auto local = load_credential(file, "127.0.0.1:5000");
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(local->identity_token, "refresh-me");
    EXPECT_FALSE(load_credential(file, "127.0.0.1:5001").has_value());
}

TEST(Credentials, LookupOrderExplicitThenRegistryAuthFileThenDockerConfigThenHome) {
    TempDirectory directory;
    const auto a = directory.path() / "a.json", b = directory.path() / "b.json";
    std::filesystem::create_directories(directory.path() / "docker" );
    std::filesystem::create_directories(directory.path() / "home" / ".docker");
    write_text(a, "{}");
    write_text(b, "{}");
    write_text(directory.path() / "docker" / "config.json", "{}");
    write_text(directory.path() / "home" / ".docker" / "config.json", "{}");
    const std::string old_home = std::getenv("HOME") ? std::getenv("HOME") : "";
    setenv("REGISTRY_AUTH_FILE", b.c_str(), 1);
    setenv("DOCKER_CONFIG", (directory.path() / "docker").c_str(), 1);
    setenv("HOME", (directory.path() / "home").c_str(), 1);
    EXPECT_EQ(find_auth_file(a.string()).value(), a);
    EXPECT_EQ(find_auth_file("").value(), b);
    unsetenv("REGISTRY_AUTH_FILE");
    EXPECT_EQ(find_auth_file("").value(), directory.path() / "docker" / "config.json");
    unsetenv("DOCKER_CONFIG");
    EXPECT_EQ(find_auth_file("").value(), directory.path() / "home" / ".docker" / "config.json");
    setenv("HOME", (directory.path() / "nowhere").c_str(), 1);
    EXPECT_FALSE(find_auth_file("").has_value());
    EXPECT_THROW(find_auth_file((directory.path() / "missing.json").string()), std::runtime_error);
    setenv("HOME", old_home.c_str(), 1);
}

// A registry with `auth: htpasswd` (user alice, password from htpasswd -Bbn).
class HtpasswdRegistryTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        directory_ = new TempDirectory();
        const auto htpasswd = directory_->path() / "htpasswd";
        write_text(htpasswd, run_capture("htpasswd -Bbn alice 'correct horse'"));
        registry_ = new RegistryProcess("auth:\n  htpasswd:\n    realm: regcensus-test\n    path: " +
                                        htpasswd.string() + "\n");
    }
    static void TearDownTestSuite() {
        delete registry_;
        delete directory_;
    }
    RegistryOptions options_with(const std::string& config_json, const std::string& name) const {
        const auto file = directory_->path() / name;
        write_text(file, config_json);
        RegistryOptions options;
        options.url = registry_->url();
        options.retries = 0;
        options.auth_file = file.string();
        return options;
    }
    static TempDirectory* directory_;
    static RegistryProcess* registry_;
};
TempDirectory* HtpasswdRegistryTest::directory_ = nullptr;
RegistryProcess* HtpasswdRegistryTest::registry_ = nullptr;

TEST_F(HtpasswdRegistryTest, RightCredentialsFromConfigJsonWork) {
    RegistryClient client(options_with(auths_config(host_of(registry_->url()), "alice", "correct horse"), "right.json"));
    const std::string digest = push_small_image(client, "basic/app", "v1");
    const FetchedManifest fetched = client.get_manifest("basic/app", "v1");
    EXPECT_EQ(fetched.digest, digest);
    const Manifest manifest = parse_manifest(fetched.bytes, fetched.content_type);
    auto stream = client.open_blob("basic/app", manifest.layers.at(0).digest, manifest.layers.at(0).size);
    int64_t total = 0;
    for (auto chunk = stream->next(); !chunk.empty(); chunk = stream->next()) total += int64_t(chunk.size());
    EXPECT_EQ(total, 5000);
}

TEST_F(HtpasswdRegistryTest, WrongOrMissingCredentialsAreUnauthorizedWithoutTheSecret) {
    RegistryClient wrong(options_with(auths_config(host_of(registry_->url()), "alice", "battery staple"), "wrong.json"));
    const auto [status, message] = failure_of([&] { wrong.get_manifest("basic/app", "v1"); });
    EXPECT_EQ(status, "unauthorized");
    EXPECT_EQ(message.find("battery staple"), std::string::npos);
    EXPECT_EQ(message.find(base64_encode("alice:battery staple")), std::string::npos);

    RegistryClient anonymous(options_with("{}", "empty.json"));
    EXPECT_EQ(failure_of([&] { anonymous.get_manifest("basic/app", "v1"); }).first, "unauthorized");
    auto stream = anonymous.open_blob("basic/app", Sha256::digest_of("x"));
    EXPECT_EQ(failure_of([&] { stream->next(); }).first, "unauthorized");
}

TEST_F(HtpasswdRegistryTest, CredentialHelperAndCredsStoreAreAsked) {
    // docker-credential-regtest on PATH, answering for any server with alice's password.
    const auto bin = directory_->path() / "bin";
    std::filesystem::create_directories(bin);
    const auto helper = bin / "docker-credential-regtest";
    write_text(helper, "#!/bin/sh\nread server\necho \"$server\" > " + (directory_->path() / "asked").string() +
                           "\necho '{\"ServerURL\":\"'$server'\",\"Username\":\"alice\",\"Secret\":\"correct horse\"}'\n");
    std::filesystem::permissions(helper, std::filesystem::perms::owner_all);
    const std::string old_path = std::getenv("PATH");
    setenv("PATH", (bin.string() + ":" + old_path).c_str(), 1);
    const std::string host = host_of(registry_->url());
    {
        // Each test runs in its own process (ctest), so this one pushes what it reads.
        RegistryClient client(options_with(R"({"credHelpers":{")" + host + R"(":"regtest"}})", "helpers.json"));
        EXPECT_NO_THROW(push_small_image(client, "basic/helper", "v1"));
        EXPECT_NO_THROW(client.get_manifest("basic/helper", "v1"));
    }
    {
        RegistryClient client(options_with(R"({"auths":{")" + host + R"(":{}},"credsStore":"regtest"})", "store.json"));
        EXPECT_NO_THROW(client.get_manifest("basic/helper", "v1"));
    }
    setenv("PATH", old_path.c_str(), 1);
    std::ifstream asked(directory_->path() / "asked");
    std::string server;
    std::getline(asked, server);
    EXPECT_EQ(server, host);
}

// A registry with `auth: token`, trusting a key made here with openssl, and the token server.
class TokenRegistry {
public:
    explicit TokenRegistry(int expires_in, const std::string& token_field = "token") {
        const auto& dir = directory_.path();
        run_capture("openssl ecparam -name prime256v1 -genkey -noout -out " + (dir / "key.pem").string() +
                    " && openssl req -x509 -new -key " + (dir / "key.pem").string() +
                    " -subj /CN=regcensus-test-token -days 2 -out " + (dir / "cert.pem").string() + " 2>&1");
        token_port_ = testing::pick_free_loopback_port();
        token_url_ = "http://127.0.0.1:" + std::to_string(token_port_);
        token_server_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{"/usr/bin/python3", kTokenServer.string(), "--port", std::to_string(token_port_),
                                     "--key", (dir / "key.pem").string(), "--cert", (dir / "cert.pem").string(),
                                     "--issuer", "regcensus-test-issuer", "--service", "regcensus-test-registry",
                                     "--user", "alice", "--password", "correct horse", "--identity-token",
                                     "refresh-0123", "--expires-in", std::to_string(expires_in), "--token-field",
                                     token_field},
            dir / "token-server.log");
        testing::wait_until_answering(token_url_ + "/stats");
        registry_ = std::make_unique<RegistryProcess>(
            "auth:\n  token:\n    realm: " + token_url_ + "/token\n    service: regcensus-test-registry\n"
            "    issuer: regcensus-test-issuer\n    rootcertbundle: " + (dir / "cert.pem").string() + "\n");
    }
    const std::string& url() const { return registry_->url(); }
    const std::filesystem::path& directory() const { return directory_.path(); }

    // How many tokens the server issued for `scope`.
    int issued(const std::string& scope) const {
        HttpPolicy policy;
        policy.retries = 0;
        HttpSession session(policy);
        HttpRequest request;
        request.url = token_url_ + "/stats";
        const std::string body = session.perform(request, 1 << 20).body;
        const std::string key = "\"" + scope + "\": ";
        const size_t at = body.find(key);
        return at == std::string::npos ? 0 : std::atoi(body.c_str() + at + key.size());
    }

    RegistryOptions options(const std::string& config_json) const {
        const auto file = directory_.path() / "config.json";
        write_text(file, config_json);
        RegistryOptions options;
        options.url = url();
        options.retries = 0;
        options.auth_file = file.string();
        return options;
    }

private:
    TempDirectory directory_;
    int token_port_ = 0;
    std::string token_url_;
    std::unique_ptr<ChildProcess> token_server_;
    std::unique_ptr<RegistryProcess> registry_;
};

TEST(TokenAuth, CompletesTheFlowAndCachesTokensPerScope) {
    TokenRegistry registry(300);
    RegistryClient client(registry.options(auths_config(host_of(registry.url()), "alice", "correct horse")));
    const std::string digest = push_small_image(client, "token/app", "v1");
    EXPECT_EQ(registry.issued("repository:token/app:pull,push"), 1);

    for (int i = 0; i < 3; ++i) EXPECT_EQ(client.get_manifest("token/app", "v1").digest, digest);
    EXPECT_EQ(registry.issued("repository:token/app:pull"), 1);

    // A second client from the same options shares the cache; one on another thread too.
    RegistryClient second(client.options());
    std::thread other([&] { EXPECT_EQ(second.get_manifest("token/app", "v1").digest, digest); });
    other.join();
    EXPECT_EQ(registry.issued("repository:token/app:pull"), 1);
    EXPECT_EQ(client.options().shared->auth().tokens_fetched(), 2);

    const Manifest manifest = parse_manifest(client.get_manifest("token/app", digest).bytes, "");
    auto stream = client.open_blob("token/app", manifest.layers.at(0).digest, manifest.layers.at(0).size);
    int64_t total = 0;
    for (auto chunk = stream->next(); !chunk.empty(); chunk = stream->next()) total += int64_t(chunk.size());
    EXPECT_EQ(total, 5000);
    EXPECT_EQ(registry.issued("repository:token/app:pull"), 1);
}

TEST(TokenAuth, RenewsExpiredTokensAndAcceptsAccessTokenField) {
    TokenRegistry registry(1, "access_token");  // tokens said to live 1 s
    RegistryClient client(registry.options(auths_config(host_of(registry.url()), "alice", "correct horse")));
    const std::string digest = push_small_image(client, "expiry/app", "v1");
    EXPECT_EQ(client.get_manifest("expiry/app", "v1").digest, digest);
    EXPECT_EQ(registry.issued("repository:expiry/app:pull"), 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_EQ(client.get_manifest("expiry/app", "v1").digest, digest);
    EXPECT_EQ(registry.issued("repository:expiry/app:pull"), 2);
}

TEST(TokenAuth, IdentityTokenIsExchangedAndWrongPasswordIsUnauthorized) {
    TokenRegistry registry(300);
    {
        RegistryClient pusher(registry.options(auths_config(host_of(registry.url()), "alice", "correct horse")));
        push_small_image(pusher, "identity/app", "v1");
    }
    RegistryClient with_identity(
        registry.options(R"({"auths":{")" + host_of(registry.url()) + R"(":{"identitytoken":"refresh-0123"}}})"));
    EXPECT_NO_THROW(with_identity.get_manifest("identity/app", "v1"));

    RegistryClient wrong(registry.options(auths_config(host_of(registry.url()), "alice", "battery staple")));
    const auto [status, message] = failure_of([&] { wrong.get_manifest("identity/app", "v1"); });
    EXPECT_EQ(status, "unauthorized");
    EXPECT_EQ(message.find("battery staple"), std::string::npos);
}

}  // namespace
}  // namespace regcensus
