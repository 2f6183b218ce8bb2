// The I/O pieces the layer analyser and `analyze-layer` rely on: the file and
// memory byte sources, and the JSON writer's escaping (including the results
// contract's \xNN convention for bytes that are not UTF-8).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <system_error>

#include "layer_test_support.hpp"
#include "regcensus/util/file_byte_source.hpp"
#include "regcensus/util/json_writer.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

TEST(LayerIo, MemorySourceHandsOutChunks) {
    MemoryByteSource source("abcdefg", 3);
    std::string seen;
    std::size_t chunks = 0;
    for (auto chunk = source.next(); !chunk.empty(); chunk = source.next(), ++chunks)
        seen.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    EXPECT_EQ(seen, "abcdefg");
    EXPECT_EQ(chunks, 3u);
    EXPECT_TRUE(source.next().empty());
}

TEST(LayerIo, FileSourceAnalysesABlobOnDisk) {
    testing_support::TarBuilder tar;
    tar.file("etc/hostname", "box\n");
    const std::string blob = testing_support::gzip(tar.finish());
    const std::string path = ::testing::TempDir() + "/regcensus-layer-io-test.tar.gz";
    std::ofstream(path, std::ios::binary) << blob;
    LayerAnalysis a;
    {
        FileByteSource source(path, 7);  // a tiny chunk size exercises the read loop
        a = analyze_layer(source, {});
    }
    std::remove(path.c_str());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.digest, Sha256::digest_of(blob));
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.dir_count, 1);
}

TEST(LayerIo, FileSourceRefusesAMissingFile) {
    EXPECT_THROW(FileByteSource("/nonexistent/regcensus/blob"), std::system_error);
}

TEST(LayerIo, InvalidUtf8IsWrittenAsHexEscapes) {
    EXPECT_EQ(escape_invalid_utf8("plain"), "plain");
    EXPECT_EQ(escape_invalid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(escape_invalid_utf8("caf\xe9"), "caf\\xe9");
    EXPECT_EQ(escape_invalid_utf8("\xff\xfe"), "\\xff\\xfe");
    EXPECT_EQ(escape_invalid_utf8("cut \xe6\x97"), "cut \\xe6\\x97");
    EXPECT_EQ(escape_invalid_utf8("\xf0\x9f\x98\x80"), "\xf0\x9f\x98\x80");
}

TEST(LayerIo, JsonWriterEscapes) {
    JsonWriter json;
    json.begin_object()
        .member("text", "quote\" backslash\\ newline\n tab\t bell\x07")
        .member("bytes", "caf\xe9")
        .member("count", int64_t{-1})
        .member("ratio", 2.5)
        .member("flag", true);
    json.key("list").begin_array().value(1).value("two").begin_object().end_object().end_array();
    json.key("nothing").null();
    json.end_object();
    EXPECT_EQ(json.str(),
              R"({"text":"quote\" backslash\\ newline\n tab\t bell\u0007","bytes":"caf\\xe9",)"
              R"("count":-1,"ratio":2.5,"flag":true,"list":[1,"two",{}],"nothing":null})");
}

TEST(LayerIo, JsonWriterPrettyLayout) {
    JsonWriter pretty(true);
    pretty.begin_object().key("h").begin_array(JsonWriter::Layout::inline_).value(1).value(2).end_array();
    pretty.key("o").begin_object().member("a", "q\"\x01").key("e").begin_array().end_array().end_object();
    pretty.key("i").begin_array(JsonWriter::Layout::inline_).begin_object().member("x", 1).end_object().end_array();
    pretty.end_object();
    EXPECT_EQ(pretty.str(), "{\n  \"h\": [1, 2],\n  \"o\": {\n    \"a\": \"q\\\"\\u0001\",\n    \"e\": []\n  },\n"
                            "  \"i\": [{\"x\": 1}]\n}\n");
    JsonWriter unbalanced;
    EXPECT_THROW(unbalanced.end_object(), std::logic_error);
}

}  // namespace
}  // namespace regcensus
