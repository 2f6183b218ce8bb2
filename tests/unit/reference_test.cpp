#include "regcensus/registry/reference.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace regcensus {
namespace {

const std::string kDigest = "sha256:" + std::string(64, 'a');

std::string error_of(std::string_view text, bool docker_hub = false) {
    try {
        parse_reference(text, docker_hub);
    } catch (const std::invalid_argument& error) {
        return error.what();
    }
    return "";
}

TEST(Reference, OneWordNameGetsLibraryOnHubAndLatest) {
    const Reference r = parse_reference("debian", true);
    EXPECT_EQ(r.given, "debian");
    EXPECT_EQ(r.host, "");
    EXPECT_EQ(r.repository, "library/debian");
    EXPECT_EQ(r.tag, "latest");
    EXPECT_EQ(r.digest, "");
    EXPECT_EQ(r.manifest_reference(), "latest");
}

TEST(Reference, OneWordNameKeptOffHub) {
    EXPECT_EQ(parse_reference("debian", false).repository, "debian");
    EXPECT_EQ(parse_reference("team/app:1.0", true).repository, "team/app");
}

TEST(Reference, HubAliasesAreNormalised) {
    for (const char* text : {"docker.io/ubuntu:22.04", "index.docker.io/ubuntu:22.04", "registry-1.docker.io/ubuntu:22.04"}) {
        const Reference r = parse_reference(text, true);
        EXPECT_EQ(r.host, "docker.io") << text;
        EXPECT_EQ(r.repository, "library/ubuntu") << text;
        EXPECT_EQ(r.tag, "22.04") << text;
    }
    // Another registry's one-word name is not Hub's.
    const Reference quay = parse_reference("quay.io/coreos:v1", true);
    EXPECT_EQ(quay.host, "quay.io");
    EXPECT_EQ(quay.repository, "coreos");
}

TEST(Reference, HostRecognisedByDotColonOrLocalhost) {
    Reference r = parse_reference("localhost:5000/team/app:v2", false);
    EXPECT_EQ(r.host, "localhost:5000");
    EXPECT_EQ(r.repository, "team/app");
    EXPECT_EQ(r.tag, "v2");

    r = parse_reference("localhost/app", false);
    EXPECT_EQ(r.host, "localhost");
    EXPECT_EQ(r.repository, "app");

    r = parse_reference("127.0.0.1:5000/app", false);
    EXPECT_EQ(r.host, "127.0.0.1:5000");
    EXPECT_EQ(r.tag, "latest");

    r = parse_reference("[::1]:5000/app:x", false);
    EXPECT_EQ(r.host, "[::1]:5000");
    EXPECT_EQ(r.repository, "app");

    // Without '.', ':' or "localhost" the first component is part of the name.
    r = parse_reference("team/app", true);
    EXPECT_EQ(r.host, "");
    EXPECT_EQ(r.repository, "team/app");
}

TEST(Reference, DigestAloneAndWithTag) {
    Reference r = parse_reference("app@" + kDigest, false);
    EXPECT_EQ(r.tag, "");
    EXPECT_EQ(r.digest, kDigest);
    EXPECT_EQ(r.manifest_reference(), kDigest);

    r = parse_reference("reg.example.org:443/a/b:t1@" + kDigest, false);
    EXPECT_EQ(r.host, "reg.example.org:443");
    EXPECT_EQ(r.repository, "a/b");
    EXPECT_EQ(r.tag, "t1");
    EXPECT_EQ(r.manifest_reference(), kDigest);
}

TEST(Reference, SeparatorsOfNameComponents) {
    for (const char* text : {"a.b", "a_b", "a__b", "a-b", "a---b", "a1/b2.c_d__e-f"})
        EXPECT_NO_THROW(parse_reference(text, false)) << text;
    for (const char* text : {"a___b", "a..b", "_a", "a_", "-a", "a-", "a._b", "a/.b", "a//b", "a/"})
        EXPECT_THROW(parse_reference(text, false), std::invalid_argument) << text;
}

TEST(Reference, TagGrammar) {
    EXPECT_EQ(parse_reference("app:_v1.2-rc", false).tag, "_v1.2-rc");
    EXPECT_EQ(parse_reference("app:" + std::string(128, 'x'), false).tag.size(), 128u);
    EXPECT_NE(error_of("app:" + std::string(129, 'x')).find("tag"), std::string::npos);
    EXPECT_NE(error_of("app:.v1").find("tag"), std::string::npos);
    EXPECT_NE(error_of("app:-v1").find("tag"), std::string::npos);
    EXPECT_NE(error_of("app:").find("tag"), std::string::npos);
    EXPECT_NE(error_of("app:v/1").find("host"), std::string::npos);  // "app:v" before a / reads as host:port
}

TEST(Reference, ErrorsNameTheFault) {
    EXPECT_NE(error_of("").find("empty"), std::string::npos);
    EXPECT_NE(error_of("Debian").find("must be lowercase"), std::string::npos);
    EXPECT_NE(error_of("app@sha256:abc").find("digest"), std::string::npos);
    EXPECT_NE(error_of("app@md5:" + std::string(32, 'a')).find("digest"), std::string::npos);
    EXPECT_NE(error_of("app@sha256:" + std::string(64, 'A')).find("digest"), std::string::npos);
    EXPECT_NE(error_of("-bad.host/app").find("host"), std::string::npos);
    EXPECT_NE(error_of("host.io:/app").find("host"), std::string::npos);
    EXPECT_NE(error_of("host.io/").find("empty"), std::string::npos);
    EXPECT_NE(error_of("a/" + std::string(300, 'b')).find("longer than 255"), std::string::npos);
    EXPECT_NE(error_of("Debian").find("'Debian'"), std::string::npos);  // the text is quoted
}

}  // namespace
}  // namespace regcensus
