// The row status vocabulary (util/row_status.hpp): the docs list the same
// table, every status word the sources write is in it, and --retry-failed's
// choice follows its retryable column.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "regcensus/util/file_byte_source.hpp"
#include "regcensus/util/row_status.hpp"
#include "registry_fixture.hpp"

namespace regcensus {
namespace {

std::string read_text(const std::filesystem::path& path) {
    FileByteSource source(path.string());
    return testing::drain(source);
}

TEST(RowStatus, DocsListTheSameTable) {
    const auto docs = read_text(std::filesystem::path(REGCENSUS_SOURCE_DIR) / "docs/status.md");
    const std::string begin = "<!-- status table: begin -->\n", end = "<!-- status table: end -->";
    const auto from = docs.find(begin), to = docs.find(end);
    ASSERT_NE(from, std::string::npos);
    ASSERT_NE(to, std::string::npos);
    EXPECT_EQ(docs.substr(from + begin.size(), to - from - begin.size()), row_status_markdown());
}

TEST(RowStatus, EveryStatusTheSourcesWriteIsInTheTable) {
    // DataError("word", ...), status = "word", and the analyser's/summary's literal assignments.
    const std::regex written(R"((?:DataError\(|status = |\.status = )\"([a-z_0-9]+)\")");
    std::set<std::string> missing;
    int found = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(std::filesystem::path(REGCENSUS_SOURCE_DIR) / "src")) {
        if (entry.path().extension() != ".cpp" || entry.path().string().find("/synth/") != std::string::npos) continue;
        const auto text = read_text(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), written), stop; it != stop; ++it) {
            ++found;
            if ((*it)[1].str().back() == '_') continue;  // "http_" + the code
            if (!find_row_status((*it)[1].str())) missing.insert((*it)[1].str() + " in " + entry.path().string());
        }
    }
    EXPECT_GT(found, 50);
    EXPECT_TRUE(missing.empty()) << *missing.begin();
}

TEST(RowStatus, RetryableWordsAreTheTransientOnes) {
    for (const char* word : {"network", "truncated_transfer", "rate_limited", "http_408", "http_429", "http_500",
                             "http_502", "http_503", "http_504"})
        EXPECT_TRUE(is_retryable_status(word)) << word;
    for (const char* word : {"ok", "truncated", "corrupt", "digest_mismatch", "invalid_reference", "http_404",
                             "http_400", "unauthorized", "layer_failed", "interrupted", "no_such_word", "http_",
                             "http_5x"})
        EXPECT_FALSE(is_retryable_status(word)) << word;
    EXPECT_EQ(find_row_status("http_418")->name, "http_<code>");
    EXPECT_EQ(find_row_status("reference_invalid"), nullptr);
    EXPECT_EQ(row_statuses().front().name, "ok");
}

}  // namespace
}  // namespace regcensus
