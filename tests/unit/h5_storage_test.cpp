// The h5 layer's storage decisions (docs/results-file.md, "Storage"): datasets
// of 16 KiB and more chunked with shuffle + deflate, smaller ones contiguous,
// values read back identical either way; dimension labels; typed attributes.
#include <gtest/gtest.h>
#include <hdf5_hl.h>

#include <filesystem>
#include <numeric>
#include <unistd.h>

#include "regcensus/h5/h5_location.hpp"
#include "regcensus/results/provenance_attributes.hpp"

namespace regcensus::h5 {
namespace {

struct Storage {
    H5D_layout_t layout;
    std::vector<H5Z_filter_t> filters;
    std::vector<hsize_t> chunk;
};

Storage storage_of(const Location& at, const char* name) {
    Handle dataset(H5Dopen2(at.id(), name, H5P_DEFAULT), H5Dclose, "H5Dopen2");
    Handle plist(H5Dget_create_plist(dataset.id()), H5Pclose, "H5Dget_create_plist");
    Storage s{H5Pget_layout(plist.id()), {}, {}};
    for (int i = 0; i < H5Pget_nfilters(plist.id()); ++i) {
        unsigned flags = 0;
        std::size_t elements = 0;
        s.filters.push_back(H5Pget_filter2(plist.id(), static_cast<unsigned>(i), &flags, &elements, nullptr, 0,
                                           nullptr, nullptr));
    }
    if (s.layout == H5D_CHUNKED) {
        s.chunk.resize(2);
        s.chunk.resize(static_cast<std::size_t>(H5Pget_chunk(plist.id(), 2, s.chunk.data())));
    }
    return s;
}

class H5Storage : public ::testing::Test {
protected:
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("h5_storage_test_" + std::to_string(getpid()) + ".h5");
    void TearDown() override { std::filesystem::remove(path); }
};

TEST_F(H5Storage, LargeDatasetsAreChunkedAndCompressedSmallOnesContiguous) {
    std::vector<int64_t> large(100000), small(2047);  // 800 kB; 16376 bytes, just under 16 KiB
    std::iota(large.begin(), large.end(), int64_t{-5});
    std::iota(small.begin(), small.end(), int64_t{7});
    std::vector<int64_t> matrix(3000 * 35);
    std::iota(matrix.begin(), matrix.end(), int64_t{0});
    std::vector<std::string> strings(5000);
    for (std::size_t i = 0; i < strings.size(); ++i) strings[i] = "sha256:" + std::to_string(i * 7919);
    {
        auto file = File::create(path.string());
        file.write_int64("large", large, "d");
        file.write_int64("small", small, "d");
        file.write_int64("empty", {}, "d");
        file.write_int64_matrix("matrix", 3000, 35, matrix, "d", "", {"layers", "categories"});
        file.write_strings("strings", strings, "d");
        std::vector<char> bytes(100000, 'x');
        file.write_bytes("opaque", bytes, "d");
        file.close();
    }
    auto file = File::open_read(path.string());
    EXPECT_EQ(file.read_int64("large"), large);
    EXPECT_EQ(file.read_int64("small"), small);
    EXPECT_EQ(file.read_int64("matrix"), matrix);
    EXPECT_EQ(file.read_strings("strings"), strings);
    EXPECT_EQ(file.read_string_at("strings", 4321), strings[4321]);
    // Ranges read only their elements, across chunk boundaries; past the end is refused.
    EXPECT_EQ(file.read_strings_range("strings", 4320, 3),
              (std::vector<std::string>{strings[4320], strings[4321], strings[4322]}));
    EXPECT_EQ(file.read_int64_range("large", 32760, 10),
              std::vector<int64_t>(large.begin() + 32760, large.begin() + 32770));
    EXPECT_TRUE(file.read_int64_range("large", large.size(), 0).empty());
    EXPECT_THROW(file.read_int64_range("large", large.size() - 1, 2), std::out_of_range);
    EXPECT_THROW(file.read_strings_range("strings", strings.size(), 1), std::out_of_range);

    const std::vector<H5Z_filter_t> shuffle_deflate = {H5Z_FILTER_SHUFFLE, H5Z_FILTER_DEFLATE};
    const auto l = storage_of(file, "large");
    EXPECT_EQ(l.layout, H5D_CHUNKED);
    EXPECT_EQ(l.filters, shuffle_deflate);
    EXPECT_EQ(l.chunk, std::vector<hsize_t>{256 * 1024 / 8});
    const auto m = storage_of(file, "matrix");
    EXPECT_EQ(m.filters, shuffle_deflate);
    EXPECT_EQ(m.chunk, (std::vector<hsize_t>{256 * 1024 / (35 * 8), 35}));  // whole rows
    EXPECT_EQ(storage_of(file, "strings").layout, H5D_CHUNKED);
    for (const char* contiguous : {"small", "empty", "opaque"}) {
        EXPECT_NE(storage_of(file, contiguous).layout, H5D_CHUNKED) << contiguous;
        EXPECT_TRUE(storage_of(file, contiguous).filters.empty()) << contiguous;
    }

    Handle dataset(H5Dopen2(file.id(), "matrix", H5P_DEFAULT), H5Dclose, "H5Dopen2");
    char label[32] = {};
    ASSERT_GT(H5DSget_label(dataset.id(), 0, label, sizeof label), 0);
    EXPECT_STREQ(label, "layers");
    ASSERT_GT(H5DSget_label(dataset.id(), 1, label, sizeof label), 0);
    EXPECT_STREQ(label, "categories");
}

TEST_F(H5Storage, ProvenanceKeepsNumbersAndSwitchesTyped) {
    {
        auto file = File::create(path.string());
        write_provenance_attributes(file.create_group("provenance"), {{"top", "1000"},
                                            {"shard_bytes", "auto"},
                                            {"shard_bytes_used", "20518463"},
                                            {"max_ratio", "100.000000"},
                                            {"all_platforms", "true"},
                                            {"images", "42"},
                                            {"max_layer_bytes", "12x"}});
        file.close();
    }
    auto file = File::open_read(path.string());
    auto group = file.open_group("provenance");
    const auto class_of = [&](const char* name) {
        Handle attr(H5Aopen(group.id(), name, H5P_DEFAULT), H5Aclose, "H5Aopen");
        Handle type(H5Aget_type(attr.id()), H5Tclose, "H5Aget_type");
        return H5Tget_class(type.id());
    };
    EXPECT_EQ(class_of("top"), H5T_INTEGER);
    EXPECT_EQ(group.int64_attribute("top"), 1000);
    EXPECT_EQ(group.int64_attribute("shard_bytes_used"), 20518463);
    EXPECT_EQ(class_of("max_ratio"), H5T_FLOAT);
    EXPECT_EQ(class_of("all_platforms"), H5T_ENUM);
    EXPECT_EQ(group.string_attribute("shard_bytes"), "auto");
    EXPECT_EQ(group.string_attribute("images"), "42");  // typed by name, never by the look of a value
    EXPECT_EQ(group.string_attribute("max_layer_bytes"), "12x");
}

}  // namespace
}  // namespace regcensus::h5
