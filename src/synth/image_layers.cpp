// An image's own layers: its application, its vendored dependencies, a
// clean-up step (whiteouts, opaque directories), and, once in the corpus,
// the tar corner cases an analyser must get right.
#include <string>

#include "layer_recipe.hpp"

namespace regcensus::synth {

namespace {

constexpr std::string_view kNames[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                                       "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"};

std::string word(Random& random) { return std::string(random.pick(kNames)); }

DirectoryEntries pick_directory_style(Random& random) {
    static constexpr DirectoryEntries styles[] = {DirectoryEntries::all, DirectoryEntries::all,
                                                  DirectoryEntries::none, DirectoryEntries::some};
    return random.pick(styles);
}

void build_app(LayerTree& tree, Random& random, const ContentPool& pool) {
    const std::string app = random.chance(1, 2) ? "app/" : "srv/" + word(random) + "/";
    static constexpr ContentKind mains[] = {ContentKind::script_python, ContentKind::script_node, ContentKind::script_shell};
    tree.file(app + "bin/run", pool.fresh(random, random.pick(mains), 10, 1), 0755);
    if (random.chance(1, 3)) tree.hardlink(app + "bin/start", app + "bin/run");
    tree.file(app + "README.md", pool.fresh(random, ContentKind::document_markdown, 11, 1));
    tree.file(app + ".gitkeep", ContentSpec{});
    tree.file(app + "__init__.py", pool.python_init());
    for (int i = 0, n = static_cast<int>(random.between(1, 5)); i < n; ++i)
        tree.file(app + "config/" + word(random) + "-" + std::to_string(i) + ".json", pool.fresh(random, ContentKind::document_json, 10, 1));
    for (int i = 0, n = static_cast<int>(random.between(0, 6)); i < n; ++i)
        tree.file(app + "templates/view-" + std::to_string(i) + ".html", pool.fresh(random, ContentKind::document_html_xml, 11, 1));
    for (int i = 0, n = static_cast<int>(random.between(0, 8)); i < n; ++i) {
        const bool png = random.chance(1, 2);
        tree.file(app + "static/img-" + std::to_string(i) + (png ? ".png" : ".jpg"),
                  pool.fresh(random, png ? ContentKind::image_png : ContentKind::image_jpeg, 12, 1));
    }
    // Source trees of varied depth.
    for (int i = 0, n = pool.scale().count(static_cast<int>(random.between(4, 20))); i < n; ++i) {
        std::string dir = app + "src/";
        for (int d = 0, depth = static_cast<int>(random.between(0, 6)); d < depth; ++d) dir += word(random) + "/";
        const bool compiled = random.chance(1, 4);
        tree.file(dir + "module_" + std::to_string(i) + ".py", pool.fresh(random, ContentKind::document_text, 11, 1));
        if (compiled)
            tree.file(dir + "__pycache__/module_" + std::to_string(i) + ".cpython-311.pyc",
                      pool.fresh(random, ContentKind::bytecode_python, 11, 1));
    }
    // Data with a heavy tail: now and then a model or a dump of a few MiB.
    const int data_files = static_cast<int>(random.between(0, 2));
    ContentSpec last_data;
    for (int i = 0; i < data_files; ++i) {
        last_data = pool.fresh(random, ContentKind::data, 13, 2);
        tree.file(app + "data/blob-" + std::to_string(i) + ".bin", last_data);
    }
    if (data_files > 0 && random.chance(1, 3)) tree.file(app + "data/backup/blob-copy.bin", last_data);
    // Vendored code carries its license again and again.
    for (int i = 0, n = static_cast<int>(random.between(0, 4)); i < n; ++i)
        tree.file(app + "vendor/" + word(random) + "-" + std::to_string(i) + "/LICENSE",
                  pool.license(random.chance(1, 2) ? License::mit : License::apache2));
    // Shared libraries copied next to the application (copies of the base's).
    if (random.chance(1, 4)) {
        for (auto lib : {SharedLibrary::libssl, SharedLibrary::libcrypto, SharedLibrary::libz})
            tree.file(app + "lib/" + std::string(ContentPool::library_file_name(lib)), pool.shared_library(lib), 0755);
    }
    if (random.chance(1, 3)) tree.file(app + "dist/" + word(random) + "-1.0-py3-none-any.whl", pool.fresh(random, ContentKind::archive_zip, 14, 1));
    if (random.chance(1, 3)) tree.file(app + "logs/old.log.gz", pool.fresh(random, ContentKind::archive_gzip, 14, 1));
    if (random.chance(1, 4)) tree.file(app + "build/main.o", pool.fresh(random, ContentKind::elf_relocatable, 13, 1));
    if (random.chance(1, 4)) tree.file(app + "bin/server", pool.fresh(random, ContentKind::elf_executable, 16, 1), 0755);
    if (random.chance(1, 3)) tree.symlink(app + "current", "releases/v" + std::to_string(random.between(1, 9)));
    tree.file(app + "VERSION", pool.fresh(random, ContentKind::document_text, 3, 0));
}

void build_dependencies(LayerTree& tree, Random& random, const ContentPool& pool) {
    const bool python = random.chance(1, 2);
    const int packages = pool.scale().count(static_cast<int>(random.between(3, 12)));
    for (int p = 0; p < packages; ++p) {
        const std::string name = word(random) + std::to_string(p);
        if (python) {
            const std::string dir = "usr/local/lib/python3.11/site-packages/" + name + "/";
            tree.file(dir + "__init__.py", random.chance(1, 2) ? pool.python_init() : pool.fresh(random, ContentKind::document_text, 9, 1));
            for (int m = 0, n = static_cast<int>(random.between(1, 8)); m < n; ++m) {
                tree.file(dir + "mod" + std::to_string(m) + ".py", pool.fresh(random, ContentKind::document_text, 12, 1));
                tree.file(dir + "__pycache__/mod" + std::to_string(m) + ".cpython-311.pyc", pool.fresh(random, ContentKind::bytecode_python, 12, 1));
            }
            if (random.chance(1, 4))
                tree.file(dir + "_native.cpython-311-x86_64-linux-gnu.so", pool.fresh(random, ContentKind::elf_shared_object, 16, 1), 0755);
            const std::string info = "usr/local/lib/python3.11/site-packages/" + name + "-1.0.dist-info/";
            tree.file(info + "LICENSE", pool.license(random.chance(2, 3) ? License::mit : License::bsd3));
            tree.file(info + "METADATA", pool.fresh(random, ContentKind::document_text, 11, 1));
        } else {
            const std::string dir = "app/node_modules/" + name + "/";
            tree.file(dir + "package.json", pool.fresh(random, ContentKind::document_json, 10, 1));
            tree.file(dir + "LICENSE", pool.license(License::mit));
            tree.file(dir + "index.js", pool.fresh(random, ContentKind::document_text, 11, 1));
            if (random.chance(1, 2)) tree.file(dir + "README.md", pool.fresh(random, ContentKind::document_markdown, 11, 1));
            if (random.chance(1, 5)) tree.file(dir + "bin/" + name, pool.fresh(random, ContentKind::script_node, 9, 1), 0755);
        }
    }
    // A package-manager cache left behind: pure waste, the classic finding.
    if (random.chance(1, 4)) {
        for (int i = 0, n = static_cast<int>(random.between(1, 3)); i < n; ++i)
            tree.file("root/.cache/pip/http/" + std::to_string(i) + "/entry.body", pool.fresh(random, ContentKind::data, 13, 2));
    }
}

void build_cleanup(LayerTree& tree, Random& random, const ContentPool& pool) {
    tree.whiteout("etc/motd");
    if (random.chance(1, 2)) tree.whiteout("var/lib/dpkg/status");
    if (random.chance(1, 2)) tree.whiteout("usr/share/doc/coreutils/changelog.Debian.gz");
    tree.opaque("var/cache/" + word(random));
    if (random.chance(1, 2)) tree.opaque("tmp");
    tree.file("etc/app.conf", pool.fresh(random, ContentKind::document_text, 9, 1));
    tree.file("var/log/app.log", random.chance(1, 2) ? ContentSpec{} : pool.fresh(random, ContentKind::document_text, 12, 1));
    if (random.chance(1, 2)) tree.file("etc/app.d/settings.json", pool.fresh(random, ContentKind::document_json, 9, 1));
}

void build_edge_cases(LayerTree& tree, Random& random, const ContentPool& pool) {
    // The same path twice: both entries are in the stream and both count.
    tree.file("opt/edge/settings.json", pool.fresh(random, ContentKind::document_json, 9, 0));
    tree.file("opt/edge/settings.json", pool.fresh(random, ContentKind::document_json, 10, 0));
    // Pre-POSIX ('\0') and contiguous ('7') regular-file type flags.
    tree.file("opt/edge/legacy/old-format.txt", pool.fresh(random, ContentKind::document_text, 10, 0), 0644, '\0');
    tree.file("opt/edge/legacy/contiguous.dat", pool.fresh(random, ContentKind::data, 12, 0), 0644, '7');
    // Sizes at block boundaries.
    tree.file("opt/edge/blocks/exactly-512.txt", ContentSpec{ContentKind::document_text, random.next(), 512});
    tree.file("opt/edge/blocks/exactly-1024.bin", ContentSpec{ContentKind::data, random.next(), 1024});
    tree.file("opt/edge/blocks/tiny.txt", ContentSpec{ContentKind::document_text, random.next(), 1});
    // A path over 100 characters that the ustar prefix field can hold ...
    std::string long_dir = "opt/edge/long";
    while (long_dir.size() < 130) long_dir += "/directory-level-" + std::to_string(long_dir.size());
    tree.file(long_dir + "/ustar-split.txt", pool.fresh(random, ContentKind::document_text, 9, 0));
    // ... one whose last component alone is over 100 characters (a PAX header) ...
    tree.file("opt/edge/pax/" + std::string(120, 'n') + ".md", pool.fresh(random, ContentKind::document_markdown, 9, 0));
    // ... and over 255 in all, with a symlink whose target is over 100 characters.
    std::string very_long = "opt/edge/pax";
    while (very_long.size() < 280) very_long += "/nested-directory-with-a-long-name-" + std::to_string(very_long.size());
    tree.file(very_long + "/deep.txt", pool.fresh(random, ContentKind::document_text, 8, 0));
    tree.symlink("opt/edge/pax/link-to-deep", very_long + "/deep.txt");
    // Twelve levels of directories.
    tree.file("opt/edge/a/b/c/d/e/f/g/h/i/j/leaf.txt", pool.fresh(random, ContentKind::document_text, 8, 0));
    // UTF-8 and spaces in names.
    tree.file("opt/edge/donn\xc3\xa9" "es/caf\xc3\xa9.txt", pool.fresh(random, ContentKind::document_text, 9, 0));
    tree.file("opt/edge/with space/file name.txt", pool.fresh(random, ContentKind::document_text, 9, 0));
    // A directory entry after a file inside it, and a whiteout of a directory.
    tree.file("opt/edge/late/file.txt", pool.fresh(random, ContentKind::document_text, 8, 0));
    tree.directory("opt/edge/late");
    tree.whiteout("opt/olddir");
    tree.opaque("opt/edge/fresh");
    // A hard link to the pre-POSIX-flagged file, and an empty regular file.
    tree.hardlink("opt/edge/settings-link.json", "opt/edge/legacy/old-format.txt");
    tree.file("opt/edge/empty", ContentSpec{});
}

}  // namespace

std::vector<LayerEntry> build_image_layer(LayerKind kind, Random& random, const ContentPool& pool) {
    if (kind == LayerKind::edge_cases) {
        // Explicit directory entries only where the recipe asks for them.
        LayerTree tree(DirectoryEntries::none, false, random.next());
        build_edge_cases(tree, random, pool);
        return tree.take();
    }
    const DirectoryEntries directories = pick_directory_style(random);
    const bool dot_slash = random.chance(1, 4);
    LayerTree tree(directories, dot_slash, random.next());
    switch (kind) {
        case LayerKind::app: build_app(tree, random, pool); break;
        case LayerKind::dependencies: build_dependencies(tree, random, pool); break;
        case LayerKind::cleanup: build_cleanup(tree, random, pool); break;
        default: break;
    }
    return tree.take();
}

}  // namespace regcensus::synth
