// The union view's rules one by one (results contract, format version 2), and
// that undoing a layer gives back exactly the view below it.
#include <gtest/gtest.h>

#include "regcensus/union/union_view.hpp"

namespace regcensus {
namespace {

EntryRecord file(std::string path, int64_t size, uint64_t hash) {
    EntryRecord e;
    e.path = std::move(path);
    e.kind = EntryKindCode::file;
    e.size = size;
    e.hash_high = hash;
    e.hash_low = hash * 7;
    return e;
}

EntryRecord entry(std::string path, EntryKindCode kind) {
    EntryRecord e;
    e.path = std::move(path);
    e.kind = kind;
    return e;
}

TEST(UnionView, ImpliedDirectoriesAndCopies) {
    UnionView view;
    view.apply({file("a/b/c.txt", 10, 1), file("a/d.txt", 10, 1), entry("a/l", EntryKindCode::symlink)});
    const auto f = view.figures();
    EXPECT_EQ(f.file_count, 2);
    EXPECT_EQ(f.file_bytes, 20);
    EXPECT_EQ(f.dir_count, 2);  // a, a/b
    EXPECT_EQ(f.max_depth, 2);
    EXPECT_EQ(f.symlink_count, 1);
    EXPECT_EQ(f.duplicate_file_count, 1);
    EXPECT_EQ(f.duplicate_bytes, 10);
}

TEST(UnionView, OverwriteWithSameBytesCounts) {
    UnionView view;
    view.apply({file("etc/x", 5, 1), file("etc/y", 7, 2)});
    view.apply({file("etc/x", 5, 1), file("etc/y", 9, 3)});
    const auto f = view.figures();
    EXPECT_EQ(f.file_count, 2);
    EXPECT_EQ(f.overwritten_file_count, 2);
    EXPECT_EQ(f.overwritten_bytes, 12);
    EXPECT_EQ(f.file_bytes, 14);
}

TEST(UnionView, DirectoryReplacedByFileAndBack) {
    UnionView view;
    view.apply({file("d/a", 1, 1), file("d/e/b", 2, 2), file("f", 3, 3)});
    view.apply({file("d", 4, 4), file("f/inside", 5, 5)});
    const auto f = view.figures();
    EXPECT_EQ(f.file_count, 2);  // d, f/inside
    EXPECT_EQ(f.overwritten_file_count, 3);
    EXPECT_EQ(f.overwritten_bytes, 6);
    EXPECT_EQ(f.dir_count, 1);  // f
}

TEST(UnionView, WhiteoutsAndOpaqueActBeforeTheLayersEntries) {
    UnionView view;
    view.apply({file("x/gone", 1, 1), file("x/dir/a", 2, 2), file("x/dir/sub/b", 3, 3), file("o/old", 4, 4)});
    view.apply({entry("x/.wh.gone", EntryKindCode::whiteout), entry("x/.wh.dir", EntryKindCode::whiteout),
                entry("o/.wh..wh..opq", EntryKindCode::opaque), file("o/new", 5, 5), file("x/gone", 6, 6),
                entry("x/.wh.never", EntryKindCode::whiteout), entry("x/.wh.", EntryKindCode::whiteout)});
    const auto f = view.figures();
    EXPECT_EQ(f.deleted_file_count, 4);
    EXPECT_EQ(f.deleted_bytes, 10);
    EXPECT_EQ(f.overwritten_file_count, 0);  // x/gone was deleted first, then added again
    EXPECT_EQ(f.file_count, 2);              // o/new, x/gone
    EXPECT_EQ(f.dir_count, 2);               // x, o
}

TEST(UnionView, RootOpaqueEmptiesTheView) {
    UnionView view;
    view.apply({file("a/b", 1, 1), file("c", 2, 2)});
    view.apply({entry(".wh..wh..opq", EntryKindCode::opaque)});
    const auto f = view.figures();
    EXPECT_EQ(f.file_count, 0);
    EXPECT_EQ(f.dir_count, 0);
    EXPECT_EQ(f.deleted_file_count, 2);
}

TEST(UnionView, HardLinksAddNoFileButReplace) {
    UnionView view;
    view.apply({file("a", 3, 1)});
    view.apply({entry("a", EntryKindCode::hardlink)});
    const auto f = view.figures();
    EXPECT_EQ(f.file_count, 0);
    EXPECT_EQ(f.overwritten_file_count, 1);
}

TEST(UnionView, UndoRestoresTheViewBelow) {
    UnionView view;
    view.apply({file("d/a", 1, 1), file("d/e/b", 2, 2), file("f", 3, 3), entry("s", EntryKindCode::symlink)});
    const auto below = view.figures();
    const auto size = view.size();
    const auto mark = view.mark();
    view.apply({file("d", 4, 4), file("f/inside", 5, 5), entry(".wh.s", EntryKindCode::whiteout)});
    view.apply({entry(".wh..wh..opq", EntryKindCode::opaque), file("z/z", 1, 1)});
    view.undo_to(mark);
    EXPECT_EQ(view.figures(), below);
    EXPECT_EQ(view.size(), size);
    // And the view still behaves: the same layer again gives the same figures.
    view.apply({file("d", 4, 4)});
    EXPECT_EQ(view.figures().overwritten_file_count, 2);
}

}  // namespace
}  // namespace regcensus
