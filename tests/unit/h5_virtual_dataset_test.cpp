// Columns joined without copying (h5/virtual_dataset.hpp) and columns appended
// a chunk at a time (h5/column_appender.hpp), the two halves of /files at
// registry scale: values read back through the join equal the pieces', in
// order; a missing or short piece is refused with one line, never read as
// fill values.
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>
#include <hdf5.h>
#include <unistd.h>

#include "regcensus/h5/column_appender.hpp"
#include "regcensus/h5/virtual_dataset.hpp"

namespace regcensus::h5 {
namespace {

namespace fs = std::filesystem;

class VirtualColumn : public ::testing::Test {
protected:
    fs::path dir = fs::temp_directory_path() / ("h5_virtual_test_" + std::to_string(getpid()));
    void SetUp() override { fs::create_directories(dir / "pieces"); }
    void TearDown() override { fs::remove_all(dir); }

    // A piece: `rows` int64 values from `first` and strings "s<value>".
    void write_piece(const std::string& name, int64_t first, std::size_t rows) {
        auto file = File::create((dir / "pieces" / name).string());
        {
            auto group = file.create_group("t");
            ColumnAppender numbers(group, "n", ColumnAppender::Type::int64, "numbers");
            ColumnAppender strings(group, "s", ColumnAppender::Type::string, "strings");
            std::vector<int64_t> values(rows);
            std::iota(values.begin(), values.end(), first);
            std::vector<std::string> texts;
            for (const auto v : values) texts.push_back("s" + std::to_string(v));
            numbers.append(values);
            strings.append(texts);
            numbers.finish();
            strings.finish();
        }
        file.close();
    }

    // results.h5 joining pieces a (3 rows), an empty one and b (2 rows), relative names.
    void write_join() {
        write_piece("a.h5", 10, 3);
        write_piece("b.h5", 20, 2);
        auto file = File::create((dir / "results.h5").string());
        {
            auto group = file.create_group("t");
            const std::vector<VirtualSource> n{{"pieces/a.h5", "/t/n", 3}, {"pieces/none.h5", "/t/n", 0},
                                               {"pieces/b.h5", "/t/n", 2}};
            auto s = n;
            for (auto& source : s) source.dataset = "/t/s";
            create_virtual_column(group, "n", ColumnAppender::Type::int64, n, "joined numbers", "bytes");
            create_virtual_column(group, "s", ColumnAppender::Type::string, s, "joined strings");
        }
        file.close();
    }
};

TEST_F(VirtualColumn, ReadsThePiecesInOrderWithoutCopying) {
    write_join();
    const auto file = File::open_read((dir / "results.h5").string());
    const auto group = file.open_group("t");
    EXPECT_EQ(group.read_int64("n"), (std::vector<int64_t>{10, 11, 12, 20, 21}));
    EXPECT_EQ(group.read_strings("s"), (std::vector<std::string>{"s10", "s11", "s12", "s20", "s21"}));
    EXPECT_TRUE(is_virtual(file, "t/n"));
    const auto sources = virtual_sources(file, "t/s");
    ASSERT_EQ(sources.size(), 2u);  // the empty piece is not mapped
    EXPECT_EQ(sources[0].file, "pieces/a.h5");
    EXPECT_EQ(sources[0].dataset, "/t/s");
    EXPECT_EQ(sources[0].rows, 3u);
    EXPECT_EQ(sources[1].file, "pieces/b.h5");
    EXPECT_EQ(sources[1].rows, 2u);
    EXPECT_EQ(Location(Handle(H5Dopen2(group.id(), "n", H5P_DEFAULT), H5Dclose, "H5Dopen2")).string_attribute("units"),
              "bytes");
    EXPECT_NO_THROW(check_virtual_sources(file, "t/n"));
}

TEST_F(VirtualColumn, MovedTogetherTheJoinStillReads) {
    write_join();
    const fs::path moved = fs::temp_directory_path() / ("h5_virtual_moved_" + std::to_string(getpid()));
    fs::rename(dir, moved);
    fs::create_directories(dir);  // for TearDown
    {
        const auto file = File::open_read((moved / "results.h5").string());
        EXPECT_EQ(file.open_group("t").read_int64("n"), (std::vector<int64_t>{10, 11, 12, 20, 21}));
        EXPECT_NO_THROW(check_virtual_sources(file, "t/s"));
    }
    fs::remove_all(moved);
}

TEST_F(VirtualColumn, AMissingPieceIsRefused) {
    write_join();
    fs::remove(dir / "pieces" / "b.h5");
    const auto file = File::open_read((dir / "results.h5").string());
    try {
        check_virtual_sources(file, "t/n");
        FAIL() << "a missing piece was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()), "piece " + (dir / "pieces/b.h5").string() + " of /t/n is missing or unreadable");
    }
}

TEST_F(VirtualColumn, AShortPieceIsRefused) {
    write_join();
    write_piece("a.h5", 10, 2);  // one row fewer than mapped
    const auto file = File::open_read((dir / "results.h5").string());
    try {
        check_virtual_sources(file, "t/s");
        FAIL() << "a short piece was accepted";
    } catch (const std::runtime_error& e) {
        EXPECT_EQ(std::string(e.what()),
                  "piece " + (dir / "pieces/a.h5").string() + " of /t/s holds 2 rows, the results file expects 3");
    }
}

TEST_F(VirtualColumn, AnOrdinaryDatasetNeedsNoCheck) {
    auto file = File::create((dir / "plain.h5").string());
    const std::vector<int64_t> values{1, 2, 3};
    file.write_int64("n", values, "plain");
    EXPECT_FALSE(is_virtual(file, "n"));
    EXPECT_NO_THROW(check_virtual_sources(file, "n"));
}

TEST(ColumnAppenderChunks, AppendsInAnySizesReadBackInOrder) {
    const fs::path path = fs::temp_directory_path() / ("h5_appender_test_" + std::to_string(getpid()) + ".h5");
    constexpr int64_t total = 150001;  // two whole 64 Ki-row chunks and a part
    {
        auto file = File::create(path.string());
        {
            ColumnAppender numbers(file, "n", ColumnAppender::Type::int64, "numbers");
            ColumnAppender strings(file, "s", ColumnAppender::Type::string, "strings");
            int64_t next = 0;
            for (std::size_t step = 1; next < total; step = step * 3 % 70001 + 1) {
                std::vector<int64_t> values;
                std::vector<std::string> texts;
                for (std::size_t i = 0; i < step && next < total; ++i, ++next) {
                    values.push_back(next);
                    texts.push_back(std::to_string(next));
                }
                numbers.append(values);
                strings.append(texts);
                EXPECT_EQ(numbers.size(), static_cast<std::size_t>(next));  // held rows count too
            }
            numbers.finish();
            strings.finish();
        }
        file.close();
    }
    const auto file = File::open_read(path.string());
    const auto numbers = file.read_int64("n");
    const auto strings = file.read_strings("s");
    ASSERT_EQ(numbers.size(), static_cast<std::size_t>(total));
    ASSERT_EQ(strings.size(), static_cast<std::size_t>(total));
    for (int64_t i = 0; i < total; ++i) {
        ASSERT_EQ(numbers[static_cast<std::size_t>(i)], i);
        ASSERT_EQ(strings[static_cast<std::size_t>(i)], std::to_string(i));
    }
    fs::remove(path);
}

// The chunk length of dataset `name` in `path`.
hsize_t chunk_rows(const fs::path& path, const char* name) {
    const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t dataset = H5Dopen2(file, name, H5P_DEFAULT);
    const hid_t properties = H5Dget_create_plist(dataset);
    hsize_t rows = 0;
    H5Pget_chunk(properties, 1, &rows);
    H5Pclose(properties);
    H5Dclose(dataset);
    H5Fclose(file);
    return rows;
}

// HDF5 stores and deflates whole chunks: a column shorter than one chunk gets
// one chunk of its own length, not 64 Ki rows mostly of fill values.
TEST(ColumnAppenderChunks, AShortColumnIsOneChunkOfItsLength) {
    const fs::path path = fs::temp_directory_path() / ("h5_appender_chunks_" + std::to_string(getpid()) + ".h5");
    {
        auto file = File::create(path.string());
        {
            ColumnAppender shorter(file, "short", ColumnAppender::Type::string, "short");
            ColumnAppender longer(file, "long", ColumnAppender::Type::int64, "long");
            ColumnAppender empty(file, "empty", ColumnAppender::Type::int64, "empty");
            shorter.append(std::vector<std::string>(4999, "x"));
            shorter.append(std::vector<std::string>{"y"});
            longer.append(std::vector<int64_t>(70000, 7));
            shorter.finish();
            longer.finish();
            empty.finish();
        }
        file.close();
    }
    EXPECT_EQ(chunk_rows(path, "short"), 5000u);
    EXPECT_EQ(chunk_rows(path, "long"), 65536u);
    EXPECT_EQ(chunk_rows(path, "empty"), 65536u);
    const auto file = File::open_read(path.string());
    EXPECT_EQ(file.read_strings("short").size(), 5000u);
    EXPECT_EQ(file.read_int64("long").size(), 70000u);
    EXPECT_TRUE(file.read_int64("empty").empty());
    fs::remove(path);
}

}  // namespace
}  // namespace regcensus::h5
