#include "regcensus/storage/registry_storage.hpp"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "regcensus/storage/storage_scan.hpp"
#include "regcensus/storage/storage_store.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

namespace fs = std::filesystem;

// A tiny distribution storage written by hand, in the driver's layout.
class StorageBuilder {
public:
    explicit StorageBuilder(const fs::path& root) : root_(root), v2_(root / "docker/registry/v2") {
        fs::remove_all(root_);
        fs::create_directories(v2_ / "blobs/sha256");
        fs::create_directories(v2_ / "repositories");
    }

    std::string blob(const std::string& content) {
        const std::string digest = Sha256::digest_of(content);
        const std::string hex = digest.substr(7);
        write(v2_ / "blobs/sha256" / hex.substr(0, 2) / hex / "data", content);
        return digest;
    }
    void link(const std::string& repository, const std::string& kind, const std::string& digest) {
        write(v2_ / "repositories" / repository / kind / "sha256" / digest.substr(7) / "link", digest);
    }
    void tag(const std::string& repository, const std::string& tag, const std::string& content) {
        write(v2_ / "repositories" / repository / "_manifests/tags" / tag / "current/link", content);
    }
    // An image of one layer and one config in `repository`, tagged `tag` (when not empty).
    std::string image(const std::string& repository, const std::string& tag, const std::string& seed) {
        const std::string config = R"({"os":"linux","architecture":"amd64","seed":")" + seed + "\"}";
        const std::string layer = "layer bytes " + seed;
        const auto config_digest = blob(config), layer_digest = blob(layer);
        link(repository, "_layers", config_digest);
        link(repository, "_layers", layer_digest);
        const std::string manifest =
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":)"
            R"("application/vnd.oci.image.config.v1+json","digest":")" + config_digest + R"(","size":)" +
            std::to_string(config.size()) + R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",)"
            R"("digest":")" + layer_digest + R"(","size":)" + std::to_string(layer.size()) + "}]}";
        const auto digest = blob(manifest);
        link(repository, "_manifests/revisions", digest);
        if (!tag.empty()) this->tag(repository, tag, digest);
        return digest;
    }
    static void write(const fs::path& path, const std::string& content) {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    }
    const fs::path& v2() const { return v2_; }

private:
    fs::path root_, v2_;
};

// The status of the DataError `serve` throws; a failure when it throws none.
template <typename Serve>
std::string status_of(Serve serve) {
    try {
        serve();
    } catch (const DataError& error) {
        return error.status();
    }
    return "served";
}

class RegistryStorageTest : public ::testing::Test {
protected:
    fs::path root = fs::temp_directory_path() / ("regcensus-storage-test-" + std::to_string(::getpid()));
    StorageBuilder build{root};
    void TearDown() override { fs::remove_all(root); }
};

TEST_F(RegistryStorageTest, ListsRepositoriesAndTagsSkippingNamesOutsideTheGrammar) {
    build.image("team/app", "v1", "a");
    build.image("team/app/sub", "latest", "b");
    build.image("Bad Name", "v1", "c");
    build.tag("team/app", "bad tag!", Sha256::digest_of("x"));
    RegistryStorage storage(root);
    EXPECT_EQ(storage.repositories(), (std::vector<std::string>{"team/app", "team/app/sub"}));
    EXPECT_EQ(storage.tags("team/app"), (std::vector<std::string>{"v1"}));
    EXPECT_EQ(storage.skipped_names(), 2);
    EXPECT_EQ(storage_references(root, false), (std::vector<std::string>{"team/app:v1", "team/app/sub:latest"}));
}

TEST_F(RegistryStorageTest, RefusesADirectoryThatIsNoStorage) {
    EXPECT_THROW(RegistryStorage(root / "docker"), std::runtime_error);
}

TEST_F(RegistryStorageTest, GarbageAndDanglingLinksGiveTheirStatuses) {
    const auto digest = build.image("app", "good", "a");
    build.tag("app", "garbage", std::string("\0\1not a digest", 15));
    build.tag("app", "huge", std::string(8192, 'a'));
    build.tag("app", "dangling", "sha256:" + std::string(64, '0'));
    StorageStore store(root);
    EXPECT_EQ(store.get_manifest("app", "good").digest, digest);
    for (const auto& [tag, status] : std::vector<std::pair<std::string, std::string>>{
             {"garbage", "link_invalid"}, {"huge", "link_invalid"}, {"dangling", "revision_missing"},
             {"absent", "manifest_unknown"}}) {
        EXPECT_EQ(status_of([&] { store.get_manifest("app", tag); }), status) << tag;
    }
}

TEST_F(RegistryStorageTest, ARevisionLinkNamingAnotherDigestIsGarbage) {
    const auto digest = build.image("app", "v1", "a");
    build.write(build.v2() / "repositories/app/_manifests/revisions/sha256" / digest.substr(7) / "link",
                Sha256::digest_of("other"));
    StorageStore store(root);
    EXPECT_EQ(status_of([&] { store.get_manifest("app", "v1"); }), "link_invalid");
}

TEST_F(RegistryStorageTest, BlobsAreVerifiedAndNeverReadThroughAFifoOrOutOfTheStore) {
    const auto digest = build.image("app", "v1", "a");
    StorageStore store(root);
    const auto config = store.get_manifest("app", "v1");
    const std::string config_digest = Sha256::digest_of(R"({"os":"linux","architecture":"amd64","seed":"a"})");
    EXPECT_NO_THROW(store.get_blob("app", config_digest, 1 << 20));
    const auto config_path = RegistryStorage(root).blob_path(config_digest);

    // Same size, other bytes: digest_mismatch.
    StorageBuilder::write(config_path, R"({"os":"linux","architecture":"amd64","seed":"b"})");
    EXPECT_EQ(status_of([&] { store.get_blob("app", config_digest, 1 << 20); }), "digest_mismatch");
    // A FIFO in place of the data: refused, not waited on.
    fs::remove(config_path);
    ASSERT_EQ(::mkfifo(config_path.c_str(), 0600), 0);
    EXPECT_EQ(status_of([&] { store.get_blob("app", config_digest, 1 << 20); }), "blob_unknown");
    // A symlink leading out of the store: refused.
    fs::remove(config_path);
    StorageBuilder::write(root.parent_path() / (root.filename().string() + "-outside"), "secret");
    fs::create_symlink(root.parent_path() / (root.filename().string() + "-outside"), config_path);
    EXPECT_EQ(status_of([&] { store.get_blob("app", config_digest, 1 << 20); }), "path_escape");
    fs::remove(root.parent_path() / (root.filename().string() + "-outside"));
    // A blob the repository holds no _layers link to is not served, as the registry would not.
    EXPECT_EQ(status_of([&] { store.get_blob("other", config_digest, 1 << 20); }), "blob_unknown");
    (void)digest;
    (void)config;
}

TEST_F(RegistryStorageTest, ScanClassifiesBlobsAsGarbageCollectionWouldMarkThem) {
    build.image("app", "v1", "tagged");
    const auto untagged = build.image("app", "", "untagged");
    const auto deleted = build.image("gone", "", "deleted");
    fs::remove(build.v2() / "repositories/gone/_manifests/revisions/sha256" / deleted.substr(7) / "link");
    const auto stray = build.blob(std::string("\x1f\x8b stray layer", 15));
    const auto s = scan_storage(root);
    EXPECT_EQ(s.repositories, 2);
    EXPECT_EQ(s.tags, 1);
    EXPECT_EQ(s.manifests, 2);
    EXPECT_EQ(s.untagged_manifests, 1);
    EXPECT_EQ(s.blob_count, 10);
    // [referenced_by][layer, config, manifest]
    EXPECT_EQ(s.count[0], (std::array<int64_t, 3>{1, 1, 1}));
    EXPECT_EQ(s.count[1], (std::array<int64_t, 3>{1, 1, 1}));
    EXPECT_EQ(s.count[2], (std::array<int64_t, 3>{2, 1, 1}));  // the deleted image's three blobs, the stray layer
    EXPECT_EQ(s.bytes[2][0], int64_t(std::string("layer bytes deleted").size() + 15));
    (void)untagged;
    (void)stray;
}

}  // namespace
}  // namespace regcensus
