#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "regcensus/crawl/growth_log.hpp"
#include "regcensus/crawl/image_list_output.hpp"
#include "regcensus/crawl/tag_selection.hpp"
#include "regcensus/census/image_list.hpp"

using namespace regcensus::crawl;

namespace {

FoundRow found(std::string reference, int rank, std::string task, int64_t page, int64_t position, int64_t pulls) {
    FoundRow f;
    f.origin = {rank, std::move(task), page, position};
    f.row.reference = std::move(reference);
    f.row.pull_count = pulls;
    f.row.star_count = 3;
    f.row.last_updated = "2023-01-02T03:04:05.678Z";
    f.row.source = f.origin.task;
    return f;
}

}  // namespace

TEST(CrawlOutput, RowFormatAndHeader) {
    EXPECT_EQ(image_list_header(), "#reference\tpull_count\tstar_count\tlast_updated\tis_official\tsource");
    CrawlRow row{"library/nginx:latest", 1000000000, 19000, "2024-05-01T12:00:00Z", true, "search:ng\tx"};
    EXPECT_EQ(format_image_list_row(row), "library/nginx:latest\t1000000000\t19000\t2024-05-01T12:00:00Z\t1\tsearch:ng x");
    CrawlRow unknown{"team/app:v1", -1, -1, "", false, "catalog"};
    EXPECT_EQ(format_image_list_row(unknown), "team/app:v1\t-1\t-1\t\t0\tcatalog");
}

TEST(CrawlOutput, DuplicatesKeepTheFirstInCrawlOrderAndSortByReference) {
    std::vector<FoundRow> rows = {
        found("b/x:latest", 2, "search:b", 0, 1, 20),
        found("a/x:latest", 2, "search:a", 1, 5, 11),
        found("a/x:latest", 2, "search:a", 0, 9, 10),       // earlier page: wins over the one above
        found("a/x:latest", 1, "namespace:a", 3, 1, 12),   // namespaces rank before searches: wins
        found("b/x:latest", 2, "search:ab", 0, 1, 21),    // "search:ab" < "search:b": wins
    };
    const auto unique = deduplicate_rows(rows);
    ASSERT_EQ(unique.size(), 2u);
    EXPECT_EQ(unique[0].reference, "a/x:latest");
    EXPECT_EQ(unique[0].pull_count, 12);
    EXPECT_EQ(unique[1].reference, "b/x:latest");
    EXPECT_EQ(unique[1].pull_count, 21);
}

TEST(CrawlOutput, WrittenListIsReadByTheRunImageListReader) {
    const auto path = std::filesystem::temp_directory_path() / "crawl_output_test_list.tsv";
    write_image_list(path.string(), {{"library/a:latest", 5, 6, "2024-01-01T00:00:00Z", true, "namespace:library"},
                                     {"reg/b:v2", -1, -1, "", false, "catalog"}});
    const auto entries = regcensus::read_image_list(path.string());
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].reference, "library/a:latest");
    EXPECT_EQ(entries[0].pull_count, 5);
    EXPECT_EQ(entries[0].star_count, 6);
    EXPECT_EQ(entries[1].reference, "reg/b:v2");
    EXPECT_EQ(entries[1].pull_count, -1);
    std::filesystem::remove(path);
}

TEST(CrawlOutput, GrowthLogLineAndTimestamp) {
    EXPECT_EQ(growth_log_line("2024-05-01T12:00:00Z", "search:a\tb", 42), "2024-05-01T12:00:00Z\tsearch:a b\t42\n");
    EXPECT_EQ(utc_timestamp(std::chrono::system_clock::time_point(std::chrono::seconds(1714564800))),
              "2024-05-01T12:00:00Z");
}

TEST(CrawlOutput, GrowthLogAppends) {
    const auto path = std::filesystem::temp_directory_path() / "crawl_output_test_growth.tsv";
    std::filesystem::remove(path);
    {
        GrowthLog log(path.string());
        log.record("catalog", 10, 0);
        log.record("catalog", 20, 5);
    }
    std::ifstream in(path);
    std::string line;
    std::vector<std::string> lines;
    while (std::getline(in, line)) lines.push_back(line);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_TRUE(lines[1].ends_with("\tcatalog\t20"));
    std::filesystem::remove(path);
}

TEST(CrawlTagSelection, ParseAndSelect) {
    const std::vector<std::string> listed = {"1.0", "1.1", "2.0", "latest"};
    EXPECT_EQ(select_tags(listed, parse_tag_selection("all")), listed);
    EXPECT_EQ(select_tags(listed, parse_tag_selection("latest")), std::vector<std::string>{"latest"});
    EXPECT_EQ(select_tags({"1.0", "2.0"}, parse_tag_selection("latest")), std::vector<std::string>{"2.0"});
    EXPECT_EQ(select_tags(listed, parse_tag_selection("2")), (std::vector<std::string>{"2.0", "latest"}));
    EXPECT_EQ(select_tags({"a"}, parse_tag_selection("5")), std::vector<std::string>{"a"});
    EXPECT_TRUE(select_tags({}, parse_tag_selection("latest")).empty());
    EXPECT_THROW(parse_tag_selection("0"), std::invalid_argument);
    EXPECT_THROW(parse_tag_selection("newest"), std::invalid_argument);
}
