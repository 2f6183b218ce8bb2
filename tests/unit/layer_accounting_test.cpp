// The /layers definitions of the results contract, one rule at a time, on
// hand-made uncompressed tar streams.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>

#include "layer_test_support.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

std::vector<std::string> paths_of(const LayerAnalysis& analysis) {
    std::vector<std::string> paths;
    for (const auto& f : analysis.files) paths.push_back(f.path);
    return paths;
}

TEST(LayerAccounting, ImpliedParentsAndDepth) {
    TarBuilder tar;
    tar.file("usr/local/bin/tool", "abc").dir("etc/");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compression, "none");
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.file_bytes, 3);
    EXPECT_EQ(a.profile.dir_count, 4);  // usr, usr/local, usr/local/bin, etc
    EXPECT_EQ(a.profile.max_depth, 3);
    // Depth 1: usr, etc (bin 1); depths 2 and 3 share bin 2 = [2, 4).
    EXPECT_EQ(a.profile.directory_depth.counts(), (std::vector<int64_t>{0, 2, 2}));
    EXPECT_EQ(a.profile.symlink_count, 0);
    EXPECT_EQ(a.profile.hardlink_count, 0);
    EXPECT_EQ(a.profile.other_count, 0);
    EXPECT_EQ(a.profile.whiteout_count, 0);
    EXPECT_EQ(a.profile.opaque_count, 0);
}

TEST(LayerAccounting, NoDirectoriesMeansDepthZero) {
    TarBuilder tar;
    tar.file("a", "x").file("b", "y");
    const auto a = analyze(tar.finish());
    EXPECT_EQ(a.profile.dir_count, 0);
    EXPECT_EQ(a.profile.max_depth, 0);
}

TEST(LayerAccounting, PrefixesAndTrailingSlashesAreNormalised) {
    TarBuilder tar;
    tar.dir("./").dir(".").dir("/").dir("./a/").dir("/a/b/").dir("a//b").dir(".//a/b/c//");
    tar.file("././x", "1").file("//a/b/y", "2").file("./a//b///z", "3");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.dir_count, 3);  // a, a/b, a/b/c; the root is not counted
    EXPECT_EQ(a.profile.max_depth, 3);
    EXPECT_EQ(paths_of(a), (std::vector<std::string>{"x", "a/b/y", "a/b/z"}));
}

TEST(LayerAccounting, WhiteoutsAndOpaqueMarkers) {
    TarBuilder tar;
    tar.file("etc/.wh.passwd", "");          // whiteout of a file, implies etc
    tar.file("var/lib/.wh..wh..opq", "");    // opaque marker, implies var, var/lib
    tar.symlink("opt/.wh.link", "x");        // any non-directory type is a whiteout
    tar.hardlink(".wh.hard", "etc/.wh.passwd");
    tar.char_device(".wh.dev");
    tar.dir("srv/.wh.kept/");                // a directory named .wh.* is a directory
    tar.file("home/.wh.", "");               // ".wh." alone still starts with .wh.
    tar.file("home/wh.file", "data");        // not a whiteout
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.whiteout_count, 5);
    EXPECT_EQ(a.profile.opaque_count, 1);
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.file_bytes, 4);
    EXPECT_EQ(a.profile.symlink_count, 0);
    EXPECT_EQ(a.profile.hardlink_count, 0);
    EXPECT_EQ(a.profile.other_count, 0);
    // etc, var, var/lib, opt, srv, srv/.wh.kept, home
    EXPECT_EQ(a.profile.dir_count, 7);
    EXPECT_EQ(paths_of(a), std::vector<std::string>{"home/wh.file"});
}

TEST(LayerAccounting, OpaqueMarkerAsDirectoryIsOnlyOpaque) {
    TarBuilder tar;
    tar.dir("a/.wh..wh..opq/");
    const auto a = analyze(tar.finish());
    EXPECT_EQ(a.profile.opaque_count, 1);
    EXPECT_EQ(a.profile.whiteout_count, 0);
    EXPECT_EQ(a.profile.dir_count, 1);  // only the implied parent a
}

TEST(LayerAccounting, LinksDevicesAndFifos) {
    TarBuilder tar;
    tar.file("bin/busybox", "ELF?");
    tar.symlink("bin/sh", "busybox");
    tar.hardlink("sbin/init", "bin/busybox");
    tar.char_device("dev/null").block_device("dev/sda").fifo("run/initctl");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 1);  // hard links add no file, no bytes, no record
    EXPECT_EQ(a.profile.file_bytes, 4);
    EXPECT_EQ(a.files.size(), 1u);
    EXPECT_EQ(a.profile.symlink_count, 1);
    EXPECT_EQ(a.profile.hardlink_count, 1);
    EXPECT_EQ(a.profile.other_count, 3);
    EXPECT_EQ(a.profile.dir_count, 4);  // bin, sbin, dev, run: links imply parents too
}

TEST(LayerAccounting, RegularFileTypeFlags) {
    TarBuilder tar;
    tar.file("zero", "0000", '0').file("nul", "11", '\0').file("contiguous", "7", '7');
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 3);
    EXPECT_EQ(a.profile.file_bytes, 7);
}

TEST(LayerAccounting, DuplicateEntriesEachCount) {
    TarBuilder tar;
    tar.file("a", "first").dir("d").file("a", "second!").dir("d/").file("d/x", "");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 3);
    EXPECT_EQ(a.profile.file_bytes, 12);
    EXPECT_EQ(a.profile.dir_count, 1);
    ASSERT_EQ(a.files.size(), 3u);
    for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(a.files[i].index, i);
    EXPECT_EQ(a.files[0].path, "a");
    EXPECT_EQ(a.files[1].path, "a");
    EXPECT_NE(a.files[0].hash, a.files[1].hash);
}

TEST(LayerAccounting, DotDotComponentsAreCountedAsWritten) {
    TarBuilder tar;
    tar.file("../x", "1").file("a/../b/c", "2");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.dir_count, 4);  // "..", "a", "a/..", "a/../b"
    EXPECT_EQ(a.profile.max_depth, 3);
    EXPECT_EQ(paths_of(a), (std::vector<std::string>{"../x", "a/../b/c"}));
}

TEST(LayerAccounting, UncompressedBytesIncludePaddingAndEndBlocks) {
    TarBuilder tar;
    tar.file("one", "x");
    EXPECT_EQ(analyze(tar.finish()).profile.uncompressed_bytes, 512 + 512 + 1024);
    // A writer's blocking factor pads the stream (GNU tar: 10240-byte records).
    EXPECT_EQ(analyze(tar.finish(10240 - 2048)).profile.uncompressed_bytes, 10240);
    // Bytes after the end blocks count too.
    EXPECT_EQ(analyze(tar.finish() + "trailing").profile.uncompressed_bytes, 2048 + 8);
}

TEST(LayerAccounting, NonUtf8NamesAreEscapedInRecords) {
    TarBuilder tar;
    tar.file("caf\xe9/menu", "1").file("caf\xc3\xa9/menu", "2").file("bad\x8f\xff", "3");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(paths_of(a), (std::vector<std::string>{"caf\\xe9/menu", "caf\xc3\xa9/menu", "bad\\x8f\\xff"}));
    EXPECT_EQ(a.profile.dir_count, 2);  // directories are distinct by their raw bytes
}

TEST(LayerAccounting, LongNamesThroughPax) {
    const std::string deep = testing_support::repeated("dir/", 40) + "file";  // 164 bytes, depth 41
    TarBuilder tar;
    tar.file(deep, "long");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.dir_count, 40);
    EXPECT_EQ(a.profile.max_depth, 40);
    EXPECT_EQ(a.files.at(0).path, deep);
}

TEST(LayerAccounting, ContentHashesAreXxh3OfTheContent) {
    const std::string big = testing_support::repeated("0123456789abcdef", 200000);  // 3.2 MB
    TarBuilder tar;
    tar.file("a", "same").file("b", "same").file("c", "other").file("big", big).file("empty", "");
    // Small source chunks force the multi-block path inside libarchive.
    const auto a = analyze(tar.finish(), {}, {}, 64 * 1024);
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    ASSERT_EQ(a.files.size(), 5u);
    EXPECT_EQ(a.files[0].hash, a.files[1].hash);
    EXPECT_NE(a.files[0].hash, a.files[2].hash);
    const auto expected = [](std::string_view content) {
        const XXH128_hash_t h = XXH3_128bits(content.data(), content.size());
        return ContentHash{h.high64, h.low64};
    };
    EXPECT_EQ(a.files[0].hash, expected("same"));
    EXPECT_EQ(a.files[3].hash, expected(big));
    EXPECT_EQ(a.files[3].size, int64_t(big.size()));
    EXPECT_EQ(a.files[4].hash, expected(""));
    EXPECT_EQ(a.files[4].type, FileType::empty);
}

TEST(LayerAccounting, TypesAndSizeHistogram) {
    TarBuilder tar;
    tar.file("run.sh", "#!/bin/sh\necho hi\n").file("readme", "hello\n").file("notes.md", "# Title\n");
    tar.file("blob", std::string("\x00\x01\x02\x03", 4)).file("empty", "");
    const auto a = analyze(tar.finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    const auto files = [&](FileType t) { return a.profile.type_files[std::size_t(t)]; };
    const auto bytes = [&](FileType t) { return a.profile.type_bytes[std::size_t(t)]; };
    EXPECT_EQ(files(FileType::code_shell), 1);
    EXPECT_EQ(bytes(FileType::code_shell), 18);
    EXPECT_EQ(files(FileType::document_text), 2);  // "# Title" is text to libmagic
    EXPECT_EQ(files(FileType::document_markdown), 0);
    EXPECT_EQ(files(FileType::data), 1);
    EXPECT_EQ(bytes(FileType::data), 4);
    EXPECT_EQ(files(FileType::empty), 1);
    EXPECT_EQ(a.files[0].type, FileType::code_shell);
    // Sizes 18, 6, 8, 4, 0: bins 0 (one), 3 (4..7: 6, 4), 4 (8..15: 8), 5 (16..31: 18).
    EXPECT_EQ(a.profile.file_size.counts(), (std::vector<int64_t>{1, 0, 0, 2, 1, 1}));
}

TEST(LayerAccounting, FileTypeProbeAcrossBlocks) {
    // The probe is gathered across data blocks: a one-byte source makes
    // libarchive hand the content out in several small blocks.
    const std::string script = "#!/usr/bin/env python3\n" + testing_support::repeated("print(1)\n", 100);
    TarBuilder tar;
    tar.file("tool", script);
    const auto a = analyze(tar.finish(), {}, {}, 1);
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.files.at(0).type, FileType::code_python);
    const XXH128_hash_t h = XXH3_128bits(script.data(), script.size());
    EXPECT_EQ(a.files.at(0).hash, (ContentHash{h.high64, h.low64}));
}

TEST(LayerAccounting, EmptyBlobIsAnEmptyLayer) {
    const auto a = analyze("");
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.compressed_bytes, 0);
    EXPECT_EQ(a.profile.uncompressed_bytes, 0);
    EXPECT_EQ(a.profile.file_count, 0);
    EXPECT_EQ(a.profile.dir_count, 0);
}

TEST(LayerAccounting, OnlyEndBlocksIsAnEmptyLayer) {
    const auto a = analyze(std::string(1024, '\0'));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.uncompressed_bytes, 1024);
    EXPECT_EQ(a.profile.file_count, 0);
}

}  // namespace
}  // namespace regcensus
