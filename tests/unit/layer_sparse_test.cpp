// Sparse files: the size is the logical size and the content hash covers the
// holes as zeros, so a sparse copy and a dense copy of a file are equal.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include "layer_test_support.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;

struct SparseRegion {
    int64_t offset;
    int64_t length;
};

// A pax archive (GNU sparse 1.0 attributes, written by libarchive) holding one
// sparse file `name` with the given logical content and data regions.
std::string pax_with_sparse_file(const std::string& name, const std::string& content,
                                 const std::vector<SparseRegion>& regions) {
    std::string out(content.size() + (1 << 20), '\0');
    std::size_t used = 0;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax(a);
    archive_write_add_filter_none(a);
    archive_write_set_bytes_per_block(a, 0);
    EXPECT_EQ(archive_write_open_memory(a, out.data(), out.size(), &used), ARCHIVE_OK);
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, int64_t(content.size()));
    for (const auto& r : regions) archive_entry_sparse_add_entry(e, r.offset, r.length);
    EXPECT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    EXPECT_EQ(archive_write_data(a, content.data(), content.size()), la_ssize_t(content.size()));
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
    out.resize(used);
    return out;
}

TEST(LayerSparse, HolesHashAsZeros) {
    std::string content(3 << 20, '\0');
    content.replace(100, 5, "hello");
    content.replace(2 << 20, 5, "world");
    const std::string tar = pax_with_sparse_file("sparse.img", content, {{0, 4096}, {2 << 20, 4096}});
    ASSERT_LT(tar.size(), content.size());  // the holes really are not stored
    const auto a = analyze(testing_support::gzip(tar));
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.file_count, 1);
    EXPECT_EQ(a.profile.file_bytes, int64_t(content.size()));
    EXPECT_EQ(a.profile.uncompressed_bytes, int64_t(tar.size()));
    ASSERT_EQ(a.files.size(), 1u);
    const XXH128_hash_t h = XXH3_128bits(content.data(), content.size());
    EXPECT_EQ(a.files[0].hash, (ContentHash{h.high64, h.low64}));
    EXPECT_EQ(a.files[0].size, int64_t(content.size()));
    EXPECT_EQ(a.files[0].path, "sparse.img");
}

TEST(LayerSparse, LeadingAndTrailingHoles) {
    std::string content(1 << 20, '\0');
    content.replace(500000, 3, "abc");
    const std::string tar = pax_with_sparse_file("f", content, {{499712, 4096}});
    const auto a = analyze(tar);
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    const XXH128_hash_t h = XXH3_128bits(content.data(), content.size());
    EXPECT_EQ(a.files.at(0).hash, (ContentHash{h.high64, h.low64}));
    EXPECT_EQ(a.files.at(0).type, FileType::data);  // the probe sees the leading zeros
}

TEST(LayerSparse, LogicalSizeIsBoundedByTheLayerLimit) {
    std::string content(8 << 20, '\0');
    const std::string tar = pax_with_sparse_file("bomb", content, {{0, 512}});
    LayerLimits limits;
    limits.max_layer_bytes = 1 << 20;  // far more than the stored tar, far less than the file
    const auto a = analyze(tar, {}, limits);
    EXPECT_EQ(a.profile.status, "too_large") << a.profile.error;
}

}  // namespace
}  // namespace regcensus
