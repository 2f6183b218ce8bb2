#include "regcensus/registry/oci_layout.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "registry_fixture.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/util/atomic_file.hpp"
#include "regcensus/util/digest_hasher.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

using testing::make_test_bytes;

// Writes a tiny layout: "app:v1" names an image, "multi:latest" an index of
// two platform images that share a layer.
class LayoutBuilder {
public:
    explicit LayoutBuilder(const std::filesystem::path& directory) : directory_(directory) {
        std::filesystem::create_directories(directory_ / "blobs" / "sha256");
        write(directory_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    }

    // Stores a blob, returns its descriptor's JSON.
    std::string add_blob(const std::string& content, std::string_view media_type, const std::string& extra = "") {
        const std::string digest = Sha256::digest_of(content);
        write(directory_ / "blobs" / "sha256" / digest.substr(7), content);
        return R"({"mediaType":")" + std::string(media_type) + R"(","digest":")" + digest + R"(","size":)" +
               std::to_string(content.size()) + extra + "}";
    }

    std::string image(uint64_t seed, const std::string& shared_layer, std::string& manifest_bytes) {
        const std::string config = add_blob(R"({"os":"linux","architecture":"amd64","seed":)" + std::to_string(seed) + "}",
                                            media_type::oci_config);
        const std::string own_layer = add_blob(make_test_bytes(3000, seed), media_type::oci_layer_gzip);
        manifest_bytes = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)" +
                         config + R"(,"layers":[)" + shared_layer + "," + own_layer + "]}";
        return manifest_bytes;
    }

    void write_index(const std::string& entries) {
        write(directory_ / "index.json", R"({"schemaVersion":2,"manifests":[)" + entries + "]}");
    }

    static void write(const std::filesystem::path& path, const std::string& content) {
        std::ofstream(path, std::ios::binary) << content;
    }

private:
    std::filesystem::path directory_;
};

std::string ref_name(const std::string& name) {
    return R"(,"annotations":{"org.opencontainers.image.ref.name":")" + name + R"("})";
}

class OciLayoutTest : public testing::RegistryTest {
protected:
    void SetUp() override {
        LayoutBuilder layout(directory_.path());
        const std::string shared = layout.add_blob(make_test_bytes(5000, 42), media_type::oci_layer_gzip);
        layout.image(1, shared, app_manifest_);
        const std::string app = layout.add_blob(app_manifest_, media_type::oci_manifest, ref_name("layout/app:v1"));

        std::string amd64, arm64;
        layout.image(2, shared, amd64);
        layout.image(3, shared, arm64);
        const std::string amd64_entry =
            layout.add_blob(amd64, media_type::oci_manifest, R"(,"platform":{"os":"linux","architecture":"amd64"})");
        const std::string arm64_entry = layout.add_blob(
            arm64, media_type::oci_manifest, R"(,"platform":{"os":"linux","architecture":"arm64","variant":"v8"})");
        index_ = R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
                 amd64_entry + "," + arm64_entry + "]}";
        arm64_digest_ = Sha256::digest_of(arm64);
        const std::string multi = layout.add_blob(index_, media_type::oci_index, ref_name("layout/multi:latest"));
        const std::string unnamed = layout.add_blob(amd64, media_type::oci_manifest);
        layout.write_index(app + "," + multi + "," + unnamed);
    }

    testing::TempDirectory directory_;
    std::string app_manifest_;
    std::string index_;
    std::string arm64_digest_;
};

TEST_F(OciLayoutTest, ListsNamedReferences) {
    const OciLayout layout(directory_.path());
    ASSERT_EQ(layout.references().size(), 2u);
    EXPECT_EQ(layout.references()[0].name, "layout/app:v1");
    EXPECT_EQ(layout.references()[0].repository, "layout/app");
    EXPECT_EQ(layout.references()[0].tag, "v1");
    EXPECT_EQ(layout.references()[0].descriptor.digest, Sha256::digest_of(app_manifest_));
    EXPECT_EQ(layout.references()[1].descriptor.media_type, media_type::oci_index);
    EXPECT_EQ(layout.read_blob(layout.references()[1].descriptor.digest), index_);
    EXPECT_THROW(layout.read_blob("sha256:" + std::string(64, '0')), std::runtime_error);
}

TEST_F(OciLayoutTest, RejectsWhatIsNotALayout) {
    testing::TempDirectory empty;
    EXPECT_THROW(OciLayout{empty.path()}, std::runtime_error);
    LayoutBuilder::write(empty.path() / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    LayoutBuilder::write(empty.path() / "index.json",
                         R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
                         R"("digest":"sha256:)" + std::string(64, 'a') + R"(","size":1)" + ref_name("notag") + "}]}");
    EXPECT_THROW(OciLayout{empty.path()}, std::runtime_error);
}

TEST_F(OciLayoutTest, PushRoundTripsAndSkipsPresentBlobs) {
    RegistryOptions options;
    options.url = registry_url();
    RegistryClient client(options);

    std::vector<std::string> reported;
    const auto pushed = push_layout(client, directory_.path(),
                                    [&](const PushedReference& reference) { reported.push_back(reference.name); });
    EXPECT_EQ(reported, (std::vector<std::string>{"layout/app:v1", "layout/multi:latest"}));
    ASSERT_EQ(pushed.size(), 2u);
    EXPECT_EQ(pushed[0].digest, Sha256::digest_of(app_manifest_));
    EXPECT_EQ(pushed[0].blobs_uploaded, 3);  // config + shared + own layer
    EXPECT_EQ(pushed[1].digest, Sha256::digest_of(index_));
    EXPECT_EQ(pushed[1].manifests_pushed, 3);   // two children and the index
    EXPECT_EQ(pushed[1].blobs_uploaded, 4);     // two configs, two own layers
    EXPECT_EQ(pushed[1].blobs_mounted, 1);      // the shared layer, from layout/app

    const FetchedManifest app = client.get_manifest("layout/app", "v1");
    EXPECT_EQ(app.bytes, app_manifest_);
    EXPECT_EQ(app.content_type, media_type::oci_manifest);
    const FetchedManifest multi = client.get_manifest("layout/multi", "latest");
    EXPECT_EQ(multi.bytes, index_);
    EXPECT_EQ(multi.content_type, media_type::oci_index);
    const Manifest index = parse_manifest(multi.bytes, multi.content_type);
    const Descriptor* arm64 = select_platform(index, Platform::parse("linux/arm64"));
    ASSERT_NE(arm64, nullptr);
    EXPECT_EQ(arm64->digest, arm64_digest_);
    const Manifest child = parse_manifest(client.get_manifest("layout/multi", arm64->digest).bytes, "");
    EXPECT_TRUE(client.has_blob("layout/multi", child.config.digest));

    const auto again = push_layout(client, directory_.path());
    EXPECT_EQ(again[0].blobs_uploaded + again[1].blobs_uploaded, 0);
    EXPECT_EQ(again[0].blobs_present, 3);
    EXPECT_EQ(again[1].blobs_present, 5);
    EXPECT_EQ(again[0].blobs_mounted + again[1].blobs_mounted, 0);
}

}  // namespace
}  // namespace regcensus

#include "regcensus/registry/oci_layout_store.hpp"
#include "regcensus/registry/oci_layout_writer.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

std::string status_of_call(const std::function<void()>& call) {
    try {
        call();
    } catch (const DataError& error) {
        return error.status();
    }
    return "ok";
}

TEST(OciLayoutStore, WrittenLayoutServesManifestsAndBlobsByTagAndDigest) {
    testing::TempDirectory directory;
    const OciLayoutWriter writer(directory.path() / "layout");
    const std::string config = R"({"architecture":"amd64","os":"linux"})";
    const std::string layer = testing::make_test_bytes(3000, 9);
    const std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":)" +
        std::to_string(config.size()) + R"(,"digest":")" + Sha256::digest_of(config) +
        R"("},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","size":3000,"digest":")" +
        Sha256::digest_of(layer) + R"("}]})";
    writer.write_blob(Sha256::digest_of(config), config);
    writer.write_blob_streaming(Sha256::digest_of(layer), [&](const OciLayoutWriter::BlobSink& sink) {
        sink(std::as_bytes(std::span(layer.data(), 1000)));
        sink(std::as_bytes(std::span(layer.data() + 1000, 2000)));
    });
    EXPECT_THROW(writer.write_blob_streaming(Sha256::digest_of("never"),
                                             [](const OciLayoutWriter::BlobSink&) { throw DataError("network", "x"); }),
                 DataError);
    EXPECT_FALSE(writer.has_blob(Sha256::digest_of("never")));
    writer.write_blob(Sha256::digest_of(manifest), manifest);
    LayoutEntry entry{"team/app:v1", {std::string(media_type::oci_manifest), Sha256::digest_of(manifest),
                                      int64_t(manifest.size()), {}, {}}};
    writer.write_index({entry});
    // A second write merges: the earlier name stays, names come sorted.
    entry.name = "other/app:v2";
    writer.write_index({entry});

    OciLayoutStore store(directory.path() / "layout");
    ASSERT_EQ(store.layout().references().size(), 2u);
    EXPECT_EQ(store.layout().references()[0].name, "other/app:v2");
    EXPECT_EQ(store.layout().references()[1].name, "team/app:v1");
    const FetchedManifest by_tag = store.get_manifest("team/app", "v1");
    EXPECT_EQ(by_tag.bytes, manifest);
    EXPECT_EQ(by_tag.content_type, media_type::oci_manifest);
    EXPECT_EQ(by_tag.digest, Sha256::digest_of(manifest));
    EXPECT_EQ(store.get_manifest("team/app", Sha256::digest_of(manifest)).bytes, manifest);
    EXPECT_EQ(store.get_blob("team/app", Sha256::digest_of(config), 1 << 20), config);
    auto source = store.open_blob("team/app", Sha256::digest_of(layer), 3000);
    std::string read;
    for (auto chunk = source->next(); !chunk.empty(); chunk = source->next())
        read.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    EXPECT_EQ(read, layer);

    EXPECT_EQ(status_of_call([&] { store.get_manifest("team/app", "v9"); }), "manifest_unknown");
    EXPECT_EQ(status_of_call([&] { store.get_blob("team/app", Sha256::digest_of("x"), 10); }), "blob_unknown");
    EXPECT_EQ(status_of_call([&] { store.open_blob("team/app", Sha256::digest_of(layer), 5); }), "size_mismatch");
    EXPECT_EQ(status_of_call([&] { store.get_blob("team/app", Sha256::digest_of(config), 3); }), "too_large");
    for (const auto& file : std::filesystem::directory_iterator(directory.path() / "layout" / "blobs" / "sha256"))
        EXPECT_FALSE(is_temporary_name(file.path().filename().string()));
}

TEST(OciLayoutStore, Sha512BlobsAreStoredAndVerifiedLikeSha256) {
    testing::TempDirectory directory;
    const OciLayoutWriter writer(directory.path() / "layout");
    const std::string config = R"({"architecture":"amd64","os":"linux"})";
    const std::string config_digest = DigestHasher::digest_of(DigestAlgorithm::sha512, config);
    writer.write_blob(config_digest, config);
    EXPECT_TRUE(std::filesystem::is_regular_file(directory.path() / "layout" / "blobs" / "sha512" /
                                                 config_digest.substr(7)));
    const std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":)" +
        std::to_string(config.size()) + R"(,"digest":")" + config_digest + R"("},"layers":[]})";
    const std::string manifest_digest = DigestHasher::digest_of(DigestAlgorithm::sha512, manifest);
    writer.write_blob(manifest_digest, manifest);
    writer.write_index({LayoutEntry{"team/app:v1", {std::string(media_type::oci_manifest), manifest_digest,
                                                    int64_t(manifest.size()), {}, {}}}});
    OciLayoutStore store(directory.path() / "layout");
    EXPECT_EQ(store.get_manifest("team/app", "v1").digest, manifest_digest);
    EXPECT_EQ(store.get_blob("team/app", config_digest, 1 << 20), config);
    // Bytes that are not what their sha512 says: a mismatch, as for sha256.
    const std::string lying = DigestHasher::digest_of(DigestAlgorithm::sha512, "something else");
    writer.write_blob(lying, config);
    EXPECT_EQ(status_of_call([&] { store.get_blob("team/app", lying, 1 << 20); }), "digest_mismatch");
    EXPECT_EQ(status_of_call([&] { store.get_blob("team/app", "sha512:../../x", 1 << 20); }), "invalid_digest");
    EXPECT_EQ(status_of_call([&] { store.get_manifest("team/app", "/some/dir:name"); }), "invalid_digest");
    EXPECT_EQ(status_of_call([&] { writer.write_blob("../../../x:name", "x"); }), "invalid_digest");
}

TEST(OciLayoutWriter, SecondIndexWriteKeepsEveryEntryNamedOrNot) {
    testing::TempDirectory directory;
    const OciLayoutWriter writer(directory.path() / "layout");
    const auto entry = [](std::string name, char letter) {
        return LayoutEntry{std::move(name), {std::string(media_type::oci_manifest), "sha256:" + std::string(64, letter),
                                             10, {}, {}}};
    };
    writer.write_index({entry("", 'a'), entry("team/app:v1", 'b')});
    writer.write_index({entry("team/app:v1", 'c'), entry("team/app:v2", 'd')});
    const OciLayout layout(directory.path() / "layout");
    std::vector<std::pair<std::string, std::string>> entries;
    for (const auto& e : layout.entries()) entries.emplace_back(e.name, e.descriptor.digest.substr(7, 1));
    const std::vector<std::pair<std::string, std::string>> want = {
        {"team/app:v1", "c"}, {"team/app:v2", "d"}, {"", "a"}};
    EXPECT_EQ(entries, want);
}

}  // namespace
}  // namespace regcensus
