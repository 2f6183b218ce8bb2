// The tar dialects a public registry holds, each read by libarchive and
// accounted like a plain ustar entry: old v7 headers, GNU long names and
// links, pax long paths and xattrs, old GNU sparse files.
#include <gtest/gtest.h>
#include <xxhash.h>

#include "layer_test_support.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

ContentHash xxh3(std::string_view content) {
    const XXH128_hash_t h = XXH3_128bits(content.data(), content.size());
    return {h.high64, h.low64};
}

TEST(LayerTarFormats, OldV7Headers) {
    TarBuilder tar;
    tar.v7_file("old/file.txt", "hello v7\n").v7_file("old/sub/", "");  // a v7 directory: name ends in '/'
    const auto a = analyze(testing_support::gzip(tar.finish()));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.file_bytes, 9);
    EXPECT_EQ(a.profile.dir_count, 2);  // old, old/sub
    ASSERT_EQ(a.files.size(), 1u);
    EXPECT_EQ(a.files[0].path, "old/file.txt");
    EXPECT_EQ(a.files[0].hash, xxh3("hello v7\n"));
    EXPECT_EQ(a.files[0].type, FileType::document_text);
}

TEST(LayerTarFormats, GnuLongNamesAndLinks) {
    const std::string long_name = testing_support::repeated("long-directory/", 10) + "file.bin";  // 158 bytes
    const std::string long_target = testing_support::repeated("target/", 20) + "x";             // 141 bytes
    TarBuilder tar;
    tar.gnu_long(long_name, '0', "gnu content");
    tar.gnu_long("short/symlink", '2', {}, long_target);
    tar.gnu_long(testing_support::repeated("h/", 60) + "hardlink", '1', {}, long_name);
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.symlink_count, 1);
    EXPECT_EQ(a.profile.hardlink_count, 1);
    EXPECT_EQ(a.profile.dir_count, 10 + 1 + 60);  // long-directory/ x10, short, h/ x60
    EXPECT_EQ(a.profile.max_depth, 60);
    ASSERT_EQ(a.files.size(), 1u);
    EXPECT_EQ(a.files[0].path, long_name);
    EXPECT_EQ(a.files[0].size, 11);
    EXPECT_EQ(a.files[0].hash, xxh3("gnu content"));
}

TEST(LayerTarFormats, PaxLongPathsAndXattrs) {
    const std::string long_path = testing_support::repeated("p/", 100) + "file";  // 204 bytes, 100 directories
    TarBuilder tar;
    tar.pax({{"path", long_path},
             {"SCHILY.xattr.security.capability", std::string("\x01\x00\x00\x02\x00\x20\x00\x00", 8)},
             {"SCHILY.xattr.user.comment", "a note"},
             {"mtime", "1600000000.5"}},
            "ignored-short-name", '0', "#!/bin/sh\necho pax\n");
    tar.pax({{"linkpath", testing_support::repeated("l/", 80)}}, "link", '2');
    const auto a = analyze(testing_support::zstd(tar.finish()));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.symlink_count, 1);
    EXPECT_EQ(a.profile.dir_count, 100);
    EXPECT_EQ(a.profile.max_depth, 100);
    ASSERT_EQ(a.files.size(), 1u);
    EXPECT_EQ(a.files[0].path, long_path);
    EXPECT_EQ(a.files[0].type, FileType::code_shell);
    EXPECT_EQ(a.files[0].hash, xxh3("#!/bin/sh\necho pax\n"));
    // The pax mtime overrides the header's (1700000000), seconds kept.
    EXPECT_EQ(a.profile.mtime_min, 1600000000);
    EXPECT_EQ(a.profile.mtime_max, 1700000000);
}

TEST(LayerTarFormats, OldGnuSparseFile) {
    const uint64_t real_size = 1 << 20;
    const std::string head(512, 'H');
    const std::string middle(1024, 'M');
    TarBuilder tar;
    tar.gnu_sparse("var/log/lastlog", real_size, {{0, head}, {600 * 1024, middle}});
    tar.file("after", "still read");
    const auto a = analyze(testing_support::gzip(tar.finish()));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 2);
    EXPECT_EQ(a.profile.file_bytes, int64_t(real_size) + 10);
    ASSERT_EQ(a.files.size(), 2u);
    std::string dense(real_size, '\0');
    dense.replace(0, head.size(), head);
    dense.replace(600 * 1024, middle.size(), middle);
    EXPECT_EQ(a.files[0].path, "var/log/lastlog");
    EXPECT_EQ(a.files[0].size, int64_t(real_size));
    EXPECT_EQ(a.files[0].hash, xxh3(dense));  // holes hash as zeros: equal to a dense copy
    EXPECT_EQ(a.files[0].type, FileType::data);  // the 8 KiB probe reaches the hole's zeros, as libmagic does
    EXPECT_EQ(a.files[1].hash, xxh3("still read"));
}

}  // namespace
}  // namespace regcensus
