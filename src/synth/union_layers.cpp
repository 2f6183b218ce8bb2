// Two layers that exercise every rule of the union view (results contract,
// format version 2): a shared set-up layer, and an image's own change layer
// that overwrites files with other and with the same bytes, replaces a
// directory by a file and a file by a directory, deletes files and a whole
// directory (one of the base's too), empties a directory with an opaque
// marker, and leaves copies of one content inside the image.
#include "layer_recipe.hpp"

namespace regcensus::synth {
namespace {

constexpr std::string_view kRoot = "opt/union/";

// Contents known to both layers: the change layer re-adds some byte for byte.
ContentSpec text(uint64_t seed, int64_t size) { return ContentSpec{ContentKind::document_text, seed, size}; }

std::string at(std::string_view name) { return std::string(kRoot) + std::string(name); }

void build_setup(LayerTree& tree) {
    tree.file(at("keep.txt"), text(0x5e7001, 900));
    tree.file(at("same-bytes.txt"), text(0x5e7002, 700));
    tree.file(at("other-bytes.txt"), text(0x5e7003, 1300));
    tree.file(at("dir-to-file/a.txt"), text(0x5e7004, 410));
    tree.file(at("dir-to-file/deeper/b.txt"), text(0x5e7005, 2100));
    tree.file(at("file-to-dir"), text(0x5e7006, 333));
    tree.file(at("deleted.txt"), text(0x5e7007, 1500));
    tree.file(at("deleted-dir/x.txt"), text(0x5e7008, 640));
    tree.file(at("deleted-dir/sub/y.txt"), text(0x5e7009, 5000));
    tree.symlink(at("deleted-dir/sub/link"), "../x.txt");
    tree.file(at("emptied/old-1.txt"), text(0x5e700a, 800));
    tree.file(at("emptied/old-2.txt"), text(0x5e700b, 1800));
    // Three copies of one content inside the image.
    tree.file(at("copy-1.txt"), text(0x5e700c, 2600));
    tree.file(at("copy-2.txt"), text(0x5e700c, 2600));
    tree.file(at("nested/copy-3.txt"), text(0x5e700c, 2600));
    tree.symlink(at("keep-link"), "keep.txt");
    // The same path twice in one layer: the first is overwritten by the second.
    tree.file(at("twice.txt"), text(0x5e700d, 120));
    tree.file(at("twice.txt"), text(0x5e700e, 240));
}

void build_changes(LayerTree& tree, Random& random) {
    tree.whiteout(at("deleted.txt"));
    tree.whiteout(at("deleted-dir"));
    tree.whiteout(at("never-there.txt"));  // removes nothing
    tree.whiteout("usr/share/doc");        // a whole directory of the base
    tree.opaque(at("emptied"));
    tree.file(at("emptied/new.txt"), text(random.next(), 500));
    tree.file(at("same-bytes.txt"), text(0x5e7002, 700), 0600);  // a chmod step: the very same bytes
    tree.file(at("other-bytes.txt"), text(random.next(), 1400));
    tree.file(at("dir-to-file"), text(random.next(), 77));
    tree.file(at("file-to-dir/inside.txt"), text(random.next(), 90));
    tree.file(at("keep-copy.txt"), text(0x5e7001, 900));  // a fourth content copied across layers
}

}  // namespace

std::vector<LayerEntry> build_union_layer(LayerKind kind, Random& random) {
    LayerTree tree(kind == LayerKind::union_setup ? DirectoryEntries::all : DirectoryEntries::none, false, random.next());
    if (kind == LayerKind::union_setup)
        build_setup(tree);
    else
        build_changes(tree, random);
    return tree.take();
}

}  // namespace regcensus::synth
