// Shared "runtime" layers: the language runtimes and asset bundles that many
// images of a registry have in common (python, node, a JVM, perl tools, web
// assets). Each is written once and referenced by several images.
#include <string>

#include "layer_recipe.hpp"

namespace regcensus::synth {

namespace {

constexpr std::string_view kModuleWords[] = {
    "abc", "argparse", "ast", "asyncio", "base64", "bisect", "calendar", "codecs", "collections", "config",
    "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib", "enum", "fnmatch", "fractions",
    "functools", "getopt", "gettext", "glob", "gzip", "hashlib", "heapq", "hmac", "html", "http", "inspect", "io",
    "ipaddress", "json", "locale", "logging", "lzma", "mailbox", "mimetypes", "numbers", "operator", "optparse",
    "os", "pathlib", "pickle", "platform", "pprint", "queue", "random", "re", "selectors", "shlex", "shutil",
    "signal", "socket", "sqlite", "ssl", "stat", "string", "struct", "subprocess", "tarfile", "tempfile",
    "textwrap", "threading", "timeit", "token", "traceback", "types", "typing", "unittest", "uuid", "warnings",
    "weakref", "xml", "zipfile",
};

std::string module_name(Random& random, int index) {
    return std::string(random.pick(kModuleWords)) + "_" + std::to_string(index);
}

void build_python(LayerTree& tree, Random& random, const ContentPool& pool) {
    tree.file("usr/local/bin/python3.11", pool.fresh(random, ContentKind::elf_executable, 14, 0), 0755);
    tree.symlink("usr/local/bin/python3", "python3.11");
    tree.symlink("usr/local/bin/python", "python3");
    tree.file("usr/local/lib/libpython3.11.so.1.0", pool.fresh(random, ContentKind::elf_shared_object, 20, 0), 0755);
    tree.symlink("usr/local/lib/libpython3.so", "libpython3.11.so.1.0");
    // pip, pip3 and pip3.11 are the same launcher script, three copies.
    const ContentSpec pip = pool.fresh(random, ContentKind::script_python, 8, 0);
    for (std::string_view name : {"pip", "pip3", "pip3.11"}) tree.file("usr/local/bin/" + std::string(name), pip, 0755);
    tree.file("usr/local/bin/pydoc3.11", pool.fresh(random, ContentKind::script_python, 7, 0), 0755);
    tree.file("usr/local/bin/2to3-3.11", pool.fresh(random, ContentKind::script_python, 7, 0), 0755);

    const std::string lib = "usr/local/lib/python3.11/";
    const int modules = pool.scale().count(90);
    for (int m = 0; m < modules; ++m) {
        const std::string name = module_name(random, m);
        const bool package = random.chance(1, 4);
        const std::string source = package ? lib + name + "/__init__.py" : lib + name + ".py";
        const std::string cache = package ? lib + name + "/__pycache__/__init__" : lib + "__pycache__/" + name;
        tree.file(source, pool.fresh(random, ContentKind::document_text, 13, 1));
        const ContentSpec pyc = pool.fresh(random, ContentKind::bytecode_python, 13, 1);
        tree.file(cache + ".cpython-311.pyc", pyc);
        // Without asserts or docstrings, the optimised bytecode is the same bytes.
        tree.file(cache + ".cpython-311.opt-1.pyc", random.chance(1, 2) ? pyc : pool.fresh(random, ContentKind::bytecode_python, 13, 1));
    }
    const int extensions = pool.scale().count(24);
    for (int e = 0; e < extensions; ++e)
        tree.file(lib + "lib-dynload/" + module_name(random, e) + ".cpython-311-x86_64-linux-gnu.so",
                  pool.fresh(random, ContentKind::elf_shared_object, 15, 1), 0755);
    for (int t = 0; t < pool.scale().count(12); ++t) {
        static constexpr ContentKind kinds[] = {ContentKind::document_json, ContentKind::document_html_xml,
                                                ContentKind::image_png, ContentKind::archive_zip,
                                                ContentKind::archive_gzip, ContentKind::data};
        tree.file(lib + "test/data/sample_" + std::to_string(t), pool.fresh(random, random.pick(kinds), 11, 1));
    }
    tree.file(lib + "ensurepip/_bundled/pip-23.2.1-py3-none-any.whl", pool.fresh(random, ContentKind::archive_zip, 20, 0));
    tree.file(lib + "ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl", pool.fresh(random, ContentKind::archive_zip, 19, 0));
    for (std::string_view package : {"pip", "setuptools", "wheel"}) {
        const std::string dir = lib + "site-packages/" + std::string(package) + "/";
        tree.file(dir + "__init__.py", pool.python_init());
        for (int m = 0; m < pool.scale().count(12); ++m)
            tree.file(dir + module_name(random, m) + ".py", pool.fresh(random, ContentKind::document_text, 12, 1));
        const std::string info = lib + "site-packages/" + std::string(package) + "-23.2.dist-info/";
        tree.file(info + "LICENSE.txt", pool.license(License::mit));
        tree.file(info + "METADATA", pool.fresh(random, ContentKind::document_text, 11, 1));
        tree.file(info + "RECORD", pool.fresh(random, ContentKind::document_text, 12, 1));
        tree.file(info + "INSTALLER", pool.fresh(random, ContentKind::document_text, 2, 0));
    }
}

// An npm package with nested dependencies; `depth` levels of node_modules below it at most.
void add_npm_package(LayerTree& tree, Random& random, const ContentPool& pool, const std::string& dir, int depth,
                     bool force_deepest) {
    tree.file(dir + "package.json", pool.fresh(random, ContentKind::document_json, 10, 1));
    if (random.chance(3, 4)) tree.file(dir + "README.md", pool.fresh(random, ContentKind::document_markdown, 12, 1));
    tree.file(dir + "LICENSE", pool.license(random.chance(7, 10) ? License::mit : License::isc));
    tree.file(dir + "index.js", pool.fresh(random, ContentKind::document_text, 10, 1));
    const int sources = static_cast<int>(random.between(0, 4));
    for (int s = 0; s < sources; ++s)
        tree.file(dir + "lib/" + module_name(random, s) + ".js", pool.fresh(random, ContentKind::document_text, 11, 1));
    if (random.chance(1, 5)) tree.file(dir + "bin/cli.js", pool.fresh(random, ContentKind::script_node, 10, 1), 0755);
    if (depth == 0) return;
    const int children = force_deepest ? 1 + static_cast<int>(random.below(2)) : static_cast<int>(random.below(depth));
    for (int c = 0; c < children; ++c)
        add_npm_package(tree, random, pool, dir + "node_modules/" + module_name(random, c) + "/", depth - 1,
                        force_deepest && c == 0);
}

void build_node(LayerTree& tree, Random& random, const ContentPool& pool) {
    tree.file("usr/local/bin/node", pool.fresh(random, ContentKind::elf_executable, 21, 0), 0755);
    tree.symlink("usr/local/bin/nodejs", "node");
    tree.symlink("usr/local/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js");
    tree.symlink("usr/local/bin/npx", "../lib/node_modules/npm/bin/npx-cli.js");
    for (int h = 0; h < pool.scale().count(30); ++h)
        tree.file("usr/local/include/node/" + module_name(random, h) + ".h", pool.fresh(random, ContentKind::document_text, 12, 1));
    const std::string npm = "usr/local/lib/node_modules/npm/";
    tree.file(npm + "bin/npm-cli.js", pool.fresh(random, ContentKind::script_node, 8, 0), 0755);
    tree.file(npm + "bin/npx-cli.js", pool.fresh(random, ContentKind::script_node, 9, 0), 0755);
    tree.file(npm + "package.json", pool.fresh(random, ContentKind::document_json, 11, 0));
    tree.file(npm + "README.md", pool.fresh(random, ContentKind::document_markdown, 12, 0));
    tree.file(npm + "LICENSE", pool.license(License::isc));
    const int packages = pool.scale().count(40);
    for (int p = 0; p < packages; ++p)
        add_npm_package(tree, random, pool, npm + "node_modules/" + module_name(random, p) + "/", 2, p == 0);
    tree.file("usr/local/lib/node_modules/corepack/dist/corepack.js", pool.fresh(random, ContentKind::script_node, 14, 0), 0755);
    tree.file("usr/local/share/doc/node/gdbinit", pool.fresh(random, ContentKind::document_text, 12, 0));
}

void build_jvm(LayerTree& tree, Random& random, const ContentPool& pool) {
    const std::string home = "opt/java/openjdk/";
    for (std::string_view tool : {"java", "javac", "jar", "jshell", "keytool", "jcmd"})
        tree.file(home + "bin/" + std::string(tool), pool.fresh(random, ContentKind::elf_executable, 14, 0), 0755);
    tree.file(home + "lib/server/libjvm.so", pool.fresh(random, ContentKind::elf_shared_object, 21, 0), 0755);
    for (std::string_view lib : {"libjava", "libnet", "libnio", "libzip", "libjimage", "libverify", "libawt", "libfontmanager"})
        tree.file(home + "lib/" + std::string(lib) + ".so", pool.fresh(random, ContentKind::elf_shared_object, 16, 1), 0755);
    tree.file(home + "lib/modules", pool.fresh(random, ContentKind::data, 20, 0));
    tree.file(home + "lib/src.zip", pool.fresh(random, ContentKind::archive_zip, 19, 0));
    tree.file(home + "lib/jrt-fs.jar", pool.fresh(random, ContentKind::archive_zip, 16, 0));
    tree.file(home + "lib/ct.sym", pool.fresh(random, ContentKind::data, 18, 0));
    tree.file(home + "release", pool.fresh(random, ContentKind::document_text, 9, 0));
    for (std::string_view conf : {"net.properties", "sound.properties", "logging.properties", "security/java.security"})
        tree.file(home + "conf/" + std::string(conf), pool.fresh(random, ContentKind::document_text, 12, 1));
    // The JDK's legal/ tree: the same three notices copied into every module.
    const ContentSpec assembly_exception = pool.fresh(random, ContentKind::document_text, 11, 0);
    const ContentSpec additional_info = pool.fresh(random, ContentKind::document_text, 11, 0);
    const int modules = pool.scale().count(45);
    for (int m = 0; m < modules; ++m) {
        const std::string dir = home + "legal/java." + module_name(random, m) + "/";
        tree.file(dir + "LICENSE", pool.license(License::gpl2));
        tree.file(dir + "ASSEMBLY_EXCEPTION", assembly_exception);
        tree.file(dir + "ADDITIONAL_LICENSE_INFO", additional_info);
        if (random.chance(1, 4)) tree.file(dir + module_name(random, m) + ".md", pool.fresh(random, ContentKind::document_markdown, 11, 1));
    }
}

void build_perl_tools(LayerTree& tree, Random& random, const ContentPool& pool) {
    static constexpr std::string_view namespaces[] = {"Text", "File", "Net", "IO", "Data", "Getopt", "Term", "Time"};
    for (int m = 0; m < pool.scale().count(70); ++m)
        tree.file("usr/share/perl5/" + std::string(random.pick(namespaces)) + "/" + module_name(random, m) + ".pm",
                  pool.fresh(random, ContentKind::document_text, 12, 1));
    for (int s = 0; s < pool.scale().count(12); ++s)
        tree.file("usr/local/bin/tool-" + std::to_string(s) + ".pl", pool.fresh(random, ContentKind::script_perl, 11, 1), 0755);
    for (int s = 0; s < pool.scale().count(4); ++s)
        tree.file("usr/local/bin/rb-tool-" + std::to_string(s), pool.fresh(random, ContentKind::script_ruby, 10, 1), 0755);
    for (int s = 0; s < pool.scale().count(6); ++s)
        tree.file("usr/local/share/tools/task-" + std::to_string(s) + ".sh", pool.fresh(random, ContentKind::script_shell, 10, 1), 0755);
    tree.hardlink("usr/local/bin/tool-default.pl", "usr/local/bin/tool-0.pl");
    for (int p = 0; p < pool.scale().count(30); ++p)
        tree.file("usr/share/man/man3/" + module_name(random, p) + ".3pm.gz", pool.fresh(random, ContentKind::archive_gzip, 11, 1));
    tree.file("usr/share/doc/perl-tools/copyright", pool.license(License::gpl2));
    tree.file("usr/share/doc/perl-tools/README.md", pool.fresh(random, ContentKind::document_markdown, 11, 0));
}

void build_web_assets(LayerTree& tree, Random& random, const ContentPool& pool) {
    const std::string root = "srv/www/";
    tree.file(root + "index.html", pool.fresh(random, ContentKind::document_html_xml, 12, 0));
    tree.file(root + "favicon.png", pool.favicon());
    tree.file(root + "static/img/favicon.png", pool.favicon());
    tree.file(root + "robots.txt", pool.fresh(random, ContentKind::document_text, 6, 0));
    tree.file(root + "sitemap.xml", pool.fresh(random, ContentKind::document_html_xml, 12, 1));
    tree.file(root + "static/js/jquery.min.js", pool.jquery());
    for (int i = 0; i < pool.scale().count(20); ++i)
        tree.file(root + "pages/page-" + std::to_string(i) + ".html", pool.fresh(random, ContentKind::document_html_xml, 12, 1));
    for (int i = 0; i < pool.scale().count(10); ++i)
        tree.file(root + "static/css/style-" + std::to_string(i) + ".css", pool.fresh(random, ContentKind::document_text, 12, 1));
    for (int i = 0; i < pool.scale().count(8); ++i)
        tree.file(root + "static/js/app-" + std::to_string(i) + ".js", pool.fresh(random, ContentKind::document_text, 13, 1));
    for (int i = 0; i < pool.scale().count(30); ++i)
        tree.file(root + "static/img/photo-" + std::to_string(i) + ".png", pool.fresh(random, ContentKind::image_png, 12, 1));
    for (int i = 0; i < pool.scale().count(15); ++i)
        tree.file(root + "static/img/banner-" + std::to_string(i) + ".jpg", pool.fresh(random, ContentKind::image_jpeg, 14, 1));
    for (int i = 0; i < pool.scale().count(20); ++i)
        tree.file(root + "static/icons/icon-" + std::to_string(i) + ".svg", pool.fresh(random, ContentKind::image_svg, 10, 1));
    for (int i = 0; i < pool.scale().count(10); ++i)
        tree.file(root + "data/feed-" + std::to_string(i) + ".json", pool.fresh(random, ContentKind::document_json, 12, 1));
}

}  // namespace

std::vector<LayerEntry> build_runtime_layer(LayerKind kind, Random& random, const ContentPool& pool) {
    switch (kind) {
        case LayerKind::python: {
            LayerTree tree(DirectoryEntries::all, false, random.next());
            build_python(tree, random, pool);
            return tree.take();
        }
        case LayerKind::node: {
            LayerTree tree(DirectoryEntries::none, false, random.next());
            build_node(tree, random, pool);
            return tree.take();
        }
        case LayerKind::jvm: {
            LayerTree tree(DirectoryEntries::some, false, random.next());
            build_jvm(tree, random, pool);
            return tree.take();
        }
        case LayerKind::perl_tools: {
            LayerTree tree(DirectoryEntries::all, false, random.next());
            build_perl_tools(tree, random, pool);
            return tree.take();
        }
        case LayerKind::web_assets: {
            LayerTree tree(DirectoryEntries::none, true, random.next());
            build_web_assets(tree, random, pool);
            return tree.take();
        }
        default: return {};
    }
}

}  // namespace regcensus::synth
