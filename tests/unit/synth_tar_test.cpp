// The synth tar writer and its building blocks: header checksums, exact
// stream length, ustar prefix split and PAX headers, plus the small pieces
// (JSON writer, timestamps, path normalisation) the corpus relies on.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "regcensus/synth/layer_tree.hpp"
#include "regcensus/synth/tar_writer.hpp"
#include "regcensus/synth/timestamp.hpp"

namespace regcensus::synth {
namespace {

uint64_t octal(std::string_view field) {
    uint64_t value = 0;
    for (char c : field) {
        if (c < '0' || c > '7') break;
        value = value * 8 + static_cast<uint64_t>(c - '0');
    }
    return value;
}

struct ParsedEntry {
    std::string path;
    char typeflag;
    uint64_t size;
    std::string linkname;
};

// A test-side reader: checks every header's checksum and follows PAX paths.
std::vector<ParsedEntry> parse_tar(const std::string& tar) {
    std::vector<ParsedEntry> entries;
    std::string pax_path, pax_link;
    std::size_t at = 0;
    while (at + 512 <= tar.size()) {
        const std::string_view block(tar.data() + at, 512);
        if (block.find_first_not_of('\0') == std::string_view::npos) break;
        unsigned sum = 0;
        for (std::size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(block[i]);
        EXPECT_EQ(octal(block.substr(148, 8)), sum) << "checksum at offset " << at;
        EXPECT_EQ(block.substr(257, 6), std::string_view("ustar\0", 6));
        const uint64_t size = octal(block.substr(124, 12));
        const char typeflag = block[156];
        const std::string name(block.substr(0, 100).data(), strnlen(block.data(), 100));
        const std::string prefix(block.substr(345, 155).data(), strnlen(block.data() + 345, 155));
        const std::string link(block.substr(157, 100).data(), strnlen(block.data() + 157, 100));
        at += 512;
        const std::string data = tar.substr(at, size);
        at += (size + 511) / 512 * 512;
        if (typeflag == 'x') {
            for (std::size_t pos = 0; pos < data.size();) {
                const std::size_t space = data.find(' ', pos);
                const std::size_t length = std::stoul(data.substr(pos, space - pos));
                const std::string record = data.substr(space + 1, length - (space - pos) - 2);
                if (record.starts_with("path=")) pax_path = record.substr(5);
                if (record.starts_with("linkpath=")) pax_link = record.substr(9);
                pos += length;
            }
            continue;
        }
        ParsedEntry entry{prefix.empty() ? name : prefix + "/" + name, typeflag, size, link};
        if (!pax_path.empty()) entry.path = std::exchange(pax_path, {});
        if (!pax_link.empty()) entry.linkname = std::exchange(pax_link, {});
        entries.push_back(entry);
    }
    return entries;
}

TarHeader header(std::string name, char typeflag = '0', std::string linkname = {}, uint32_t major = 0, uint32_t minor = 0) {
    TarHeader h;
    h.name = std::move(name);
    h.typeflag = typeflag;
    h.linkname = std::move(linkname);
    h.dev_major = major;
    h.dev_minor = minor;
    return h;
}

TEST(SynthTar, HeadersHaveValidChecksumsAndTheStreamIsPaddedToARecord) {
    StringSink sink;
    TarWriter tar(sink);
    tar.add(header("etc/", '5'));
    tar.add(header("etc/hostname"), "synth\n");
    tar.add(header("etc/block", '7'), std::string(512, 'b'));
    tar.add(header("etc/link", '2', "hostname"));
    tar.add(header("dev/null", '3', {}, 1, 3));
    tar.finish();
    // 5 headers + 1 + 1 data blocks + 2 end blocks = 4608 bytes, padded to 10240.
    EXPECT_EQ(tar.bytes_written(), 10240);
    EXPECT_EQ(sink.out.size(), 10240u);
    const auto entries = parse_tar(sink.out);
    ASSERT_EQ(entries.size(), 5u);
    EXPECT_EQ(entries[1].path, "etc/hostname");
    EXPECT_EQ(entries[1].size, 6u);
    EXPECT_EQ(entries[2].typeflag, '7');
    EXPECT_EQ(entries[3].linkname, "hostname");
}

TEST(SynthTar, StreamLengthIsExactBeyondOneRecord) {
    StringSink sink;
    TarWriter tar(sink);
    tar.add(header("big"), std::string(20000, 'x'));
    tar.finish();
    // 512 + 20480 + 1024 = 22016 -> three records.
    EXPECT_EQ(tar.bytes_written(), 30720);
    EXPECT_EQ(sink.out.size(), 30720u);
}

TEST(SynthTar, LongPathsUseTheUstarPrefixOrPax) {
    const std::string split = std::string(120, 'd') + "/file.txt";
    const std::string long_name = "dir/" + std::string(130, 'n');
    const std::string long_target = std::string(150, 't');
    std::string_view prefix, name;
    ASSERT_TRUE(split_ustar_path(split, prefix, name));
    EXPECT_EQ(prefix, std::string(120, 'd'));
    EXPECT_EQ(name, "file.txt");
    EXPECT_FALSE(split_ustar_path(long_name, prefix, name));

    StringSink sink;
    TarWriter tar(sink);
    tar.add(header(split), "a");
    tar.add(header(long_name), "b");
    tar.add(header("link", '2', long_target));
    tar.finish();
    const auto entries = parse_tar(sink.out);
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0].path, split);
    EXPECT_EQ(entries[1].path, long_name);
    EXPECT_EQ(entries[2].linkname, long_target);
    EXPECT_EQ(static_cast<int64_t>(sink.out.size()), tar.bytes_written());
}

TEST(SynthTimestamp, FormatsRfc3339InUtc) {
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_rfc3339(1559217600), "2019-05-30T12:00:00Z");
    EXPECT_EQ(format_rfc3339(951825600), "2000-02-29T12:00:00Z");
    EXPECT_EQ(format_rfc3339(1559217600, 5), "2019-05-30T12:00:00.000000005Z");
}

TEST(SynthPaths, NormaliseLikeTheContract) {
    EXPECT_EQ(normalize_path("./usr/bin/"), "usr/bin");
    EXPECT_EQ(normalize_path("/etc/passwd"), "etc/passwd");
    EXPECT_EQ(normalize_path("./"), "");
    EXPECT_EQ(normalize_path("."), "");
}

}  // namespace
}  // namespace regcensus::synth
