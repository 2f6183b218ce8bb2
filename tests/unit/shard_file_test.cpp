// The shard file's partial readers that the merge streams from: profiles
// without files, the file table without paths, and one path by row.
#include <filesystem>

#include <gtest/gtest.h>

#include "regcensus/workdir/shard_file.hpp"

namespace regcensus {
namespace {

FileRecord file(uint64_t hash, int64_t size, uint32_t index, std::string path) {
    FileRecord record;
    record.hash = {hash, ~hash};
    record.size = size;
    record.type = FileType::document_text;
    record.index = index;
    record.path = std::move(path);
    return record;
}

LayerAnalysis layer(std::string digest, std::string status, std::vector<FileRecord> files) {
    LayerAnalysis analysis;
    analysis.profile.digest = std::move(digest);
    analysis.profile.status = std::move(status);
    analysis.profile.file_count = int64_t(files.size());
    analysis.files = std::move(files);
    return analysis;
}

class ShardFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        path_ = (std::filesystem::temp_directory_path() /
                 ("regcensus-shard-test-" + std::to_string(::getpid()) + ".h5")).string();
        ShardResult shard;
        shard.shard_id = 7;
        shard.layers.push_back(layer("sha256:aa", "ok", {file(1, 10, 0, "etc/a"), file(2, 20, 1, "etc/b")}));
        shard.layers.push_back(layer("sha256:bb", "corrupt", {}));
        shard.layers.push_back(layer("sha256:cc", "ok", {file(3, 30, 0, "usr/c"), file(1, 10, 1, "usr/\\xff"),
                                                         file(4, 0, 2, "usr/empty")}));
        write_shard(shard, path_);
    }
    void TearDown() override { std::filesystem::remove(path_); }
    std::string path_;
};

TEST_F(ShardFileTest, ProfilesComeBackWithoutFiles) {
    const auto profiles = read_shard_profiles(path_);
    ASSERT_EQ(profiles.size(), 3u);
    EXPECT_EQ(profiles[0].digest, "sha256:aa");
    EXPECT_EQ(profiles[1].status, "corrupt");
    EXPECT_EQ(profiles[2].file_count, 3);
}

TEST_F(ShardFileTest, FileTableRowsAreConsecutivePerLayerInTarOrder) {
    const ShardFileTable table = read_shard_file_table(path_);
    EXPECT_EQ(table.layer, (std::vector<int64_t>{0, 0, 2, 2, 2}));
    EXPECT_EQ(table.index, (std::vector<int64_t>{0, 1, 0, 1, 2}));
    EXPECT_EQ(table.size, (std::vector<int64_t>{10, 20, 30, 10, 0}));
    EXPECT_EQ(table.hash_high, (std::vector<int64_t>{1, 2, 3, 1, 4}));
    EXPECT_EQ(table.hash_low[3], int64_t(~uint64_t{1}));
    EXPECT_EQ(table.type, std::vector<int64_t>(5, int64_t(FileType::document_text)));
}

TEST_F(ShardFileTest, OnePathByRow) {
    EXPECT_EQ(read_shard_file_path(path_, 0), "etc/a");
    EXPECT_EQ(read_shard_file_path(path_, 2 + 1), "usr/\\xff");
    EXPECT_EQ(read_shard_file_path(path_, 4), "usr/empty");
    EXPECT_THROW(read_shard_file_path(path_, 5), std::out_of_range);
}

}  // namespace
}  // namespace regcensus
