#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "regcensus/crawl/crawl_state.hpp"

using namespace regcensus::crawl;

namespace {

FoundRow row(std::string reference, std::string task, int64_t page, int64_t position) {
    FoundRow found;
    found.origin = {2, std::move(task), page, position};
    found.row.reference = std::move(reference);
    found.row.pull_count = 1234567890123;
    found.row.star_count = 7;
    found.row.last_updated = "2024-05-01T12:00:00.123456Z";
    found.row.is_official = true;
    found.row.source = found.origin.task;
    return found;
}

bool same(const FoundRow& a, const FoundRow& b) {
    return a.origin == b.origin && a.row.reference == b.row.reference && a.row.pull_count == b.row.pull_count &&
           a.row.star_count == b.row.star_count && a.row.last_updated == b.row.last_updated &&
           a.row.is_official == b.row.is_official && a.row.source == b.row.source;
}

struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("crawl_state_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                  "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST(CrawlState, CheckpointJsonRoundTrip) {
    CrawlCheckpoint checkpoint;
    checkpoint.identity = "hub http://127.0.0.1:1234";
    checkpoint.journal_bytes = 98765;
    checkpoint.in_progress["search:a\"b"] = {"http://127.0.0.1:1234/v2/search/repositories/?query=a%22b&page=3", 2, 200, 512};
    checkpoint.in_progress["namespace:library"] = {"http://x/?page=2", 1, 100, -1};
    EXPECT_EQ(checkpoint_from_json(checkpoint_to_json(checkpoint)), checkpoint);
    EXPECT_THROW(checkpoint_from_json("{\"version\": 99}"), std::runtime_error);
    EXPECT_THROW(checkpoint_from_json("not json"), std::runtime_error);
}

TEST(CrawlState, JournalLinesRoundTrip) {
    FoundRow found = row("team/app:latest", "search:ap", 3, 17);
    found.row.last_updated = "";
    const std::string text = journal_listing_added_line("search:apq") + "\n" + journal_row_line(found) + "\n" +
                             journal_listing_done_line("search:ap") + "\n";
    const JournalContents contents = parse_journal(text);
    EXPECT_EQ(contents.listings_added, std::vector<std::string>{"search:apq"});
    EXPECT_TRUE(contents.listings_done.contains("search:ap"));
    ASSERT_EQ(contents.rows.size(), 1u);
    EXPECT_TRUE(same(contents.rows[0], found));
    EXPECT_THROW(parse_journal("r\tnot\tenough\n"), std::runtime_error);
}

TEST(CrawlState, ResumesCommittedStateAndDropsUncommittedJournalBytes) {
    TempDir dir;
    const std::string path = (dir.path / "state.json").string();
    {
        CrawlState state(path, "hub http://h");
        EXPECT_FALSE(state.resumed());
        CrawlCommit first;
        first.listing = "search:a";
        first.rows = {row("a/one:latest", "search:a", 0, 1)};
        first.progress = ListingProgress{"http://h/page2", 1, 1, 5};
        state.commit(first);
        CrawlCommit finished;
        finished.listing = "namespace:library";
        finished.rows = {row("library/x:latest", "namespace:library", 0, 1)};
        finished.listings_added = {"search:ab"};
        state.commit(finished);
    }
    // A page whose rows reached the journal but whose checkpoint never landed (kill -9).
    { std::ofstream(path + ".journal", std::ios::app) << journal_row_line(row("lost/row:latest", "search:a", 1, 1)) << "\n"; }

    CrawlState resumed(path, "hub http://h");
    EXPECT_TRUE(resumed.resumed());
    const auto rows = resumed.rows();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].row.reference, "a/one:latest");
    EXPECT_EQ(rows[1].row.reference, "library/x:latest");
    EXPECT_EQ(resumed.listings_added(), std::vector<std::string>{"search:ab"});
    EXPECT_TRUE(resumed.listings_done().contains("namespace:library"));
    const auto progress = resumed.in_progress();
    ASSERT_TRUE(progress.contains("search:a"));
    EXPECT_EQ(progress.at("search:a"), (ListingProgress{"http://h/page2", 1, 1, 5}));
    EXPECT_FALSE(progress.contains("namespace:library"));

    EXPECT_THROW(CrawlState(path, "registry http://other"), std::runtime_error);
}

TEST(CrawlState, RepositoryInfoIsJournalledAndResumed) {
    const RepositoryInfo found{"bob/app:latest", true, 1234567890123, 7, "2024-05-01T12:00:00.123456Z"};
    const RepositoryInfo missing{"bob/gone:latest", false, -1, -1, ""};
    const auto contents =
        parse_journal(journal_repository_info_line(found) + "\n" + journal_repository_info_line(missing) + "\n");
    ASSERT_EQ(contents.repository_info.size(), 2u);
    EXPECT_EQ(contents.repository_info.at("bob/app:latest"), found);
    EXPECT_EQ(contents.repository_info.at("bob/gone:latest"), missing);
    EXPECT_THROW(parse_journal("i\tbob/app:latest\t1\n"), std::runtime_error);

    TempDir dir;
    const std::string path = (dir.path / "state.json").string();
    {
        CrawlState state(path, "hub http://h");
        CrawlCommit commit;  // no listing: only an info, no "=" line
        commit.infos = {found};
        state.commit(commit);
        EXPECT_TRUE(state.in_progress().empty());
        EXPECT_TRUE(state.listings_done().empty());
    }
    CrawlState resumed(path, "hub http://h");
    EXPECT_EQ(resumed.repository_info().size(), 1u);
    EXPECT_EQ(resumed.repository_info().at("bob/app:latest"), found);
    EXPECT_TRUE(resumed.listings_done().empty());
}

TEST(CrawlState, WithoutPathKeepsRowsInMemory) {
    CrawlState state("", "registry http://r");
    CrawlCommit commit;
    commit.listing = "tags:a";
    commit.rows = {row("a:1", "tags:a", 0, 0)};
    state.commit(commit);
    EXPECT_EQ(state.row_count(), 1u);
    EXPECT_TRUE(state.listings_done().contains("tags:a"));
}
