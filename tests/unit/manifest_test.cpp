#include "regcensus/manifest/manifest.hpp"

#include <gtest/gtest.h>

#include "regcensus/manifest/rfc3339.hpp"
#include "regcensus/manifest/schema1.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

std::string digest_of_letter(char c) { return "sha256:" + std::string(64, c); }

std::string status_of_manifest(std::string_view bytes, std::string_view content_type = "") {
    try {
        parse_manifest(bytes, content_type);
    } catch (const DataError& error) {
        return error.status();
    }
    return "ok";
}

const std::string kDockerV2 = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
  "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1469,
             "digest": ")" + digest_of_letter('c') + R"("},
  "layers": [
    {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 100, "digest": ")" +
                              digest_of_letter('1') + R"("},
    {"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", "size": 200,
     "digest": ")" + digest_of_letter('2') + R"(", "urls": ["https://example.org/layer"]}
  ]
})";

TEST(Manifest, DockerSchema2) {
    const Manifest m = parse_manifest(kDockerV2, "application/vnd.docker.distribution.manifest.v2+json");
    EXPECT_EQ(m.kind, ManifestKind::image);
    EXPECT_EQ(m.schema_version, 2);
    EXPECT_EQ(m.media_type, media_type::docker_manifest_v2);
    EXPECT_EQ(m.config.digest, digest_of_letter('c'));
    EXPECT_EQ(m.config.size, 1469);
    EXPECT_EQ(m.config.media_type, media_type::docker_config);
    ASSERT_EQ(m.layers.size(), 2u);
    EXPECT_EQ(m.layers[0].digest, digest_of_letter('1'));
    EXPECT_EQ(m.layers[0].size, 100);
    EXPECT_TRUE(m.layers[0].urls.empty());
    EXPECT_EQ(m.layers[1].urls, std::vector<std::string>{"https://example.org/layer"});
    EXPECT_TRUE(m.manifests.empty());
}

const std::string kOciIndexWithoutMediaType = R"({
  "schemaVersion": 2,
  "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 10, "digest": ")" +
                                              digest_of_letter('a') + R"(",
     "platform": {"os": "linux", "architecture": "amd64"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 11, "digest": ")" +
                                              digest_of_letter('b') + R"(",
     "platform": {"os": "linux", "architecture": "arm", "variant": "v6"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 12, "digest": ")" +
                                              digest_of_letter('d') + R"(",
     "platform": {"os": "linux", "architecture": "arm", "variant": "v7"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 13, "digest": ")" +
                                              digest_of_letter('e') + R"(",
     "platform": {"os": "linux", "architecture": "arm64"}},
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 14, "digest": ")" +
                                              digest_of_letter('f') + R"(",
     "platform": {"os": "unknown", "architecture": "unknown"}}
  ]
})";

TEST(Manifest, OciIndexWithoutMediaTypeTakesContentType) {
    const Manifest m = parse_manifest(kOciIndexWithoutMediaType, "application/vnd.oci.image.index.v1+json");
    EXPECT_EQ(m.kind, ManifestKind::index);
    EXPECT_EQ(m.media_type, media_type::oci_index);
    ASSERT_EQ(m.manifests.size(), 5u);
    EXPECT_EQ(m.manifests[1].platform, (Platform{"linux", "arm", "v6"}));
    EXPECT_EQ(m.manifests[1].size, 11);
}

TEST(Manifest, OciIndexWithoutMediaTypeOrContentTypeIsInferred) {
    EXPECT_EQ(parse_manifest(kOciIndexWithoutMediaType, "application/json").media_type, media_type::oci_index);
    EXPECT_EQ(parse_manifest(kOciIndexWithoutMediaType, "").kind, ManifestKind::index);
}

TEST(Manifest, IndexPlatformSelectionComparesVariantOnlyWhenWanted) {
    const Manifest index = parse_manifest(kOciIndexWithoutMediaType, "");
    EXPECT_EQ(select_platform(index, Platform::parse("linux/amd64"))->digest, digest_of_letter('a'));
    EXPECT_EQ(select_platform(index, Platform::parse("linux/arm/v7"))->digest, digest_of_letter('d'));
    EXPECT_EQ(select_platform(index, Platform::parse("linux/arm/v6"))->digest, digest_of_letter('b'));
    EXPECT_EQ(select_platform(index, Platform::parse("linux/arm"))->digest, digest_of_letter('b'));  // first arm
    // arm64 without a variant is arm64/v8.
    EXPECT_EQ(select_platform(index, Platform::parse("linux/arm64/v8"))->digest, digest_of_letter('e'));
    EXPECT_EQ(select_platform(index, Platform::parse("linux/arm/v5")), nullptr);
    EXPECT_EQ(select_platform(index, Platform::parse("windows/amd64")), nullptr);
}

TEST(Manifest, DockerManifestList) {
    const std::string list = R"({"schemaVersion": 2,
      "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
      "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 528,
        "digest": ")" + digest_of_letter('a') + R"(", "platform": {"architecture": "s390x", "os": "linux"}}]})";
    const Manifest m = parse_manifest(list, "application/octet-stream");
    EXPECT_EQ(m.kind, ManifestKind::index);
    EXPECT_EQ(m.media_type, media_type::docker_manifest_list);
    EXPECT_EQ(m.manifests.at(0).platform.str(), "linux/s390x");
}

TEST(Manifest, OciManifestWithAndWithoutMediaType) {
    const std::string body = R"({"schemaVersion": 2,
      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 7, "digest": ")" +
                             digest_of_letter('c') + R"("},
      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd", "size": 9, "digest": ")" +
                             digest_of_letter('1') + R"("}]})";
    Manifest m = parse_manifest(body, "");
    EXPECT_EQ(m.media_type, media_type::oci_manifest);
    EXPECT_EQ(m.kind, ManifestKind::image);
    EXPECT_EQ(m.layers.at(0).media_type, media_type::oci_layer_zstd);

    const std::string with_type =
        R"({"mediaType": "application/vnd.oci.image.manifest.v1+json",)" + body.substr(1);
    m = parse_manifest(with_type, "application/vnd.docker.distribution.manifest.v2+json");
    EXPECT_EQ(m.media_type, media_type::oci_manifest);  // the body wins
    EXPECT_EQ(m.config.size, 7);

    m = parse_manifest(body, "application/vnd.oci.image.manifest.v1+json; charset=utf-8");
    EXPECT_EQ(m.media_type, media_type::oci_manifest);
}

const std::string kSchema1Payload = R"({
   "schemaVersion": 1,
   "name": "library/hello",
   "tag": "latest",
   "architecture": "amd64",
   "fsLayers": [
      {"blobSum": ")" + digest_of_letter('3') + R"("},
      {"blobSum": ")" + digest_of_letter('2') + R"("},
      {"blobSum": ")" + digest_of_letter('1') + R"("}
   ],
   "history": [{"v1Compatibility": "{}"}, {"v1Compatibility": "{}"}, {"v1Compatibility": "{}"}]
})";

std::string base64url(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    for (unsigned char c : bytes) {
        buffer = (buffer << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out += alphabet[(buffer >> bits) & 63];
        }
    }
    if (bits > 0) out += alphabet[(buffer << (6 - bits)) & 63];
    return out;
}

// What libtrust writes: the payload with a "signatures" member spliced in
// before its closing brace; the protected header says how to cut it out.
std::string sign_schema1(const std::string& payload) {
    const size_t format_length = payload.rfind('\n');
    const std::string tail = payload.substr(format_length);
    const std::string protected_header = R"({"formatLength":)" + std::to_string(format_length) +
                                         R"(,"formatTail":")" + base64url(tail) + R"(","time":"2019-01-01T00:00:00Z"})";
    return payload.substr(0, format_length) + ",\n   \"signatures\": [\n      {\"header\": {\"alg\": \"ES256\"}, " +
           "\"signature\": \"c2ln\", \"protected\": \"" + base64url(protected_header) + "\"}\n   ]" + tail;
}

TEST(Manifest, Schema1UnsignedLayersBaseFirst) {
    const Manifest m = parse_manifest(kSchema1Payload, "application/json");
    EXPECT_EQ(m.schema_version, 1);
    EXPECT_EQ(m.kind, ManifestKind::image);
    EXPECT_EQ(m.media_type, media_type::docker_manifest_v1);
    ASSERT_EQ(m.layers.size(), 3u);
    EXPECT_EQ(m.layers[0].digest, digest_of_letter('1'));
    EXPECT_EQ(m.layers[2].digest, digest_of_letter('3'));
    EXPECT_EQ(m.layers[0].size, -1);
    EXPECT_TRUE(m.config.digest.empty());
}

TEST(Manifest, Schema1SignedIsParsedAndAddressedByItsPayload) {
    const std::string signed_bytes = sign_schema1(kSchema1Payload);
    const Manifest m = parse_manifest(signed_bytes, "application/vnd.docker.distribution.manifest.v1+prettyjws");
    EXPECT_EQ(m.media_type, media_type::docker_manifest_v1_signed);
    EXPECT_EQ(m.layers.size(), 3u);
    // Even served as plain JSON, the signatures give it away.
    EXPECT_EQ(parse_manifest(signed_bytes, "application/json").media_type, media_type::docker_manifest_v1_signed);

    ASSERT_TRUE(schema1_signed_payload(signed_bytes).has_value());
    EXPECT_EQ(*schema1_signed_payload(signed_bytes), kSchema1Payload);
    EXPECT_EQ(manifest_digest(signed_bytes, media_type::docker_manifest_v1_signed),
              Sha256::digest_of(kSchema1Payload));
    EXPECT_EQ(manifest_digest(kDockerV2, media_type::docker_manifest_v2), Sha256::digest_of(kDockerV2));
    EXPECT_FALSE(schema1_signed_payload(kSchema1Payload).has_value());
}

TEST(Manifest, MalformedInputIsManifestInvalid) {
    EXPECT_EQ(status_of_manifest("not json"), "manifest_invalid");
    EXPECT_EQ(status_of_manifest("[1,2]"), "manifest_invalid");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 3, "layers": []})"), "manifest_invalid");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2})"), "manifest_invalid");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 1})"), "manifest_invalid");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"size": 1}, "layers": []})"),
              "manifest_invalid");  // no digest
    // A digest that is there but not a registered algorithm with its encoding names no file and no request.
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"size": 1, "digest": "sha256:abc"}, "layers": []})"),
              "invalid_digest");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"size": 1, "digest": "/some/dir:name"}, "layers": []})"),
              "invalid_digest");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"size": 1, "digest": ")" + digest_of_letter('c') + R"("},
        "layers": [{"size": 1, "digest": "../../../x:name"}]})"),
              "invalid_digest");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"size": 1, "digest": "sha256:../../evil"}]})"),
              "invalid_digest");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 1, "fsLayers": [{"blobSum": "md5:abcdef"}]})"),
              "invalid_digest");
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"digest": ")" + digest_of_letter('c') + R"("}, "layers": []})"),
              "manifest_invalid");  // no size
    EXPECT_EQ(status_of_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": {}})"),
              "manifest_invalid");
    try {
        parse_manifest(R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"size": 1, "digest": "sha256:abc"}, "layers": []})", "");
    } catch (const DataError& error) {
        EXPECT_NE(std::string(error.what()).find("config"), std::string::npos);
    }
}

TEST(Platform, ParseAndStr) {
    EXPECT_EQ(Platform::parse("linux/arm64/v8"), (Platform{"linux", "arm64", "v8"}));
    EXPECT_EQ(Platform::parse("linux/amd64").str(), "linux/amd64");
    EXPECT_EQ((Platform{"linux", "arm", "v7"}).str(), "linux/arm/v7");
    EXPECT_EQ(Platform{}.str(), "");
    for (const char* bad : {"", "linux", "linux/", "/amd64", "linux//v8", "a/b/c/d"})
        EXPECT_THROW(Platform::parse(bad), std::invalid_argument) << bad;
}

TEST(ImageConfig, CreatedPlatformAndDiffIds) {
    const ImageConfig c = parse_image_config(R"({"architecture": "arm", "variant": "v7", "os": "linux",
        "created": "2019-03-05T23:05:17.123456789Z",
        "rootfs": {"type": "layers", "diff_ids": [")" + digest_of_letter('1') + R"(", ")" +
                                                 digest_of_letter('2') + R"("]}})");
    EXPECT_EQ(c.created, 1551827117);
    EXPECT_EQ(c.platform, (Platform{"linux", "arm", "v7"}));
    EXPECT_EQ(c.diff_ids, (std::vector<std::string>{digest_of_letter('1'), digest_of_letter('2')}));
}

TEST(ImageConfig, MissingFieldsAndMalformed) {
    const ImageConfig c = parse_image_config("{}");
    EXPECT_EQ(c.created, -1);
    EXPECT_TRUE(c.diff_ids.empty());
    EXPECT_EQ(parse_image_config(R"({"created": "yesterday"})").created, -1);
    EXPECT_THROW(parse_image_config("{"), DataError);
    try {
        parse_image_config(R"({"rootfs": {"diff_ids": 5}})");
        FAIL();
    } catch (const DataError& error) {
        EXPECT_EQ(error.status(), "config_invalid");
    }
}

TEST(Rfc3339, ZonesAndFractions) {
    EXPECT_EQ(parse_rfc3339_seconds("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_rfc3339_seconds("2019-03-05T23:05:17Z"), 1551827117);
    EXPECT_EQ(parse_rfc3339_seconds("2019-03-05T23:05:17.5Z"), 1551827117);
    EXPECT_EQ(parse_rfc3339_seconds("2019-03-06T01:05:17+02:00"), 1551827117);
    EXPECT_EQ(parse_rfc3339_seconds("2019-03-05T18:05:17.000-05:00"), 1551827117);
    EXPECT_EQ(parse_rfc3339_seconds("2020-02-29T00:00:00z"), 1582934400);
    EXPECT_EQ(parse_rfc3339_seconds("0001-01-01T00:00:00Z"), -1);  // Go's zero time: unknown
    for (const char* bad : {"", "2019-03-05", "2019-03-05T23:05:17", "2019-02-30T00:00:00Z", "2019-03-05T24:00:00Z",
                            "2019-03-05T23:05:17.Z", "2019-03-05T23:05:17+0200", "2019-03-05T23:05:17Zjunk"})
        EXPECT_EQ(parse_rfc3339_seconds(bad), -1) << bad;
}

}  // namespace
}  // namespace regcensus

namespace regcensus {
namespace {

TEST(Manifest, Schema1ReadsV1CompatibilityAndDropsThrowawayEntries) {
    // Newest first: an ENV step (throwaway, the empty tar), a content layer, the base.
    const std::string body = R"({"schemaVersion": 1, "name": "old/app", "tag": "v1", "architecture": "amd64",
      "fsLayers": [{"blobSum": ")" + digest_of_letter('e') + R"("}, {"blobSum": ")" + digest_of_letter('2') +
                             R"("}, {"blobSum": ")" + digest_of_letter('1') + R"("}],
      "history": [
        {"v1Compatibility": "{\"id\":\"c\",\"created\":\"2016-05-04T03:02:01.5Z\",\"os\":\"linux\",\"architecture\":\"arm\",\"throwaway\":true}"},
        {"v1Compatibility": "{\"id\":\"b\",\"created\":\"2016-01-01T00:00:00Z\"}"},
        {"v1Compatibility": "{\"id\":\"a\",\"created\":\"2015-01-01T00:00:00Z\"}"}]})";
    const Manifest m = parse_manifest(body, "application/vnd.docker.distribution.manifest.v1+json");
    EXPECT_EQ(m.schema1_created, 1462330921);
    EXPECT_EQ(m.schema1_platform.str(), "linux/arm");
    ASSERT_EQ(m.layers.size(), 2u);
    EXPECT_EQ(m.layers[0].digest, digest_of_letter('1'));
    EXPECT_EQ(m.layers[1].digest, digest_of_letter('2'));
}

TEST(Manifest, AttestationsAreNeverPlatforms) {
    const std::string body = R"({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
      "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1, "digest": ")" + digest_of_letter('a') +
                             R"(", "platform": {"os": "unknown", "architecture": "unknown"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1, "digest": ")" + digest_of_letter('b') +
                             R"(", "platform": {"os": "linux", "architecture": "amd64"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "size": 1, "digest": ")" + digest_of_letter('c') +
                             R"(", "platform": {"os": "linux", "architecture": "arm64"}}]})";
    const Manifest index = parse_manifest(body, "");
    EXPECT_EQ(select_platform(index, Platform::parse("unknown/unknown")), nullptr);
    const auto all = all_platforms(index);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0]->digest, digest_of_letter('b'));
    EXPECT_EQ(all[1]->digest, digest_of_letter('c'));
}

}  // namespace
}  // namespace regcensus
