// Per-layer figures beyond the contract: setuid, setgid, world-writable and
// root-owned regular files, the oldest and newest mtime; and their transport
// between ranks (the layer-profile codec).
#include <gtest/gtest.h>

#include "layer_test_support.hpp"
#include "regcensus/workdir/layer_profile_codec.hpp"

namespace regcensus {
namespace {

using testing_support::analyze;
using testing_support::TarBuilder;

std::string permissions_tar() {
    TarBuilder tar;
    tar.meta(01777, 0, 1000).dir("tmp/");                   // sticky, world-writable directory: not a file
    tar.meta(04755, 0, 2000).file("usr/bin/su", "su");       // setuid, root
    tar.meta(02755, 0, 3000).file("usr/bin/wall", "wall");   // setgid, root
    tar.meta(06777, 0, 4000).file("usr/bin/both", "both");   // setuid + setgid + world-writable, root
    tar.meta(00666, 1000, 500).file("tmp/shared", "ww");     // world-writable, uid 1000
    tar.meta(04755, 1000, 6000).hardlink("usr/bin/su2", "usr/bin/su");  // a link is not a file
    tar.meta(00777, 0, 7000).symlink("usr/bin/sh", "dash");
    tar.meta(00644, 0, 100).file("etc/.wh.old", "");          // a whiteout: its mtime still counts
    return tar.finish();
}

TEST(LayerExtras, PermissionsOwnersAndMtimes) {
    const auto a = analyze(testing_support::gzip(permissions_tar()));
    const LayerProfile& p = a.profile;
    ASSERT_EQ(p.status, "ok") << p.error;
    EXPECT_EQ(p.file_count, 4);
    EXPECT_EQ(p.setuid_count, 2);           // su, both
    EXPECT_EQ(p.setgid_count, 2);           // wall, both
    EXPECT_EQ(p.world_writable_count, 2);   // both, shared
    EXPECT_EQ(p.root_owned_file_count, 3);  // su, wall, both
    EXPECT_EQ(p.mtime_min, 100);
    EXPECT_EQ(p.mtime_max, 7000);
}

TEST(LayerExtras, EmptyLayerHasNoMtime) {
    const auto a = analyze(TarBuilder().finish());
    ASSERT_EQ(a.profile.status, "ok") << a.profile.error;
    EXPECT_EQ(a.profile.setuid_count, 0);
    EXPECT_EQ(a.profile.setgid_count, 0);
    EXPECT_EQ(a.profile.world_writable_count, 0);
    EXPECT_EQ(a.profile.root_owned_file_count, 0);
    EXPECT_EQ(a.profile.mtime_min, -1);
    EXPECT_EQ(a.profile.mtime_max, -1);
}

TEST(LayerExtras, FailedLayerIsUnknown) {
    std::string blob = testing_support::gzip(permissions_tar());
    blob.resize(blob.size() / 2);
    const auto a = analyze(blob);
    EXPECT_EQ(a.profile.status, "truncated");
    EXPECT_EQ(a.profile.setuid_count, -1);
    EXPECT_EQ(a.profile.setgid_count, -1);
    EXPECT_EQ(a.profile.world_writable_count, -1);
    EXPECT_EQ(a.profile.root_owned_file_count, -1);
    EXPECT_EQ(a.profile.mtime_min, -1);
    EXPECT_EQ(a.profile.mtime_max, -1);
}

TEST(LayerExtras, CodecRoundTripKeepsEveryField) {
    const LayerProfile p = analyze(testing_support::gzip(permissions_tar())).profile;
    ByteWriter out;
    encode(out, p);
    ByteReader in(out.bytes());
    const LayerProfile q = decode_layer_profile(in);
    EXPECT_TRUE(in.done());
    EXPECT_EQ(q.setuid_count, 2);
    EXPECT_EQ(q.setgid_count, 2);
    EXPECT_EQ(q.world_writable_count, 2);
    EXPECT_EQ(q.root_owned_file_count, 3);
    EXPECT_EQ(q.mtime_min, 100);
    EXPECT_EQ(q.mtime_max, 7000);
    EXPECT_EQ(q.file_count, p.file_count);
    EXPECT_EQ(q.file_size, p.file_size);
    EXPECT_EQ(q.directory_depth, p.directory_depth);
    EXPECT_EQ(q.type_files, p.type_files);
    EXPECT_EQ(q.type_bytes, p.type_bytes);
    EXPECT_EQ(q.digest, p.digest);
}

}  // namespace
}  // namespace regcensus
