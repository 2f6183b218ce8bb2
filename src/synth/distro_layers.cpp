// Base-image root filesystems: a distro's packages (binaries, libraries,
// docs with their license texts, man pages, package-manager records), its
// /etc, and the odd device node, FIFO and hard link such trees carry.
#include <array>
#include <string>

#include "layer_recipe.hpp"

namespace regcensus::synth {

namespace {

constexpr std::string_view kPackageNames[] = {
    "coreutils", "bash", "tar", "gzip", "sed", "grep", "findutils", "util-linux", "libc6", "libssl3", "zlib1g",
    "perl-base", "python3", "openssl", "ca-certificates", "apt", "dpkg", "debconf", "libsystemd0", "libudev1",
    "libgcrypt20", "libgnutls30", "libzstd1", "liblzma5", "libbz2", "libcap2", "libpam0g", "login", "passwd",
    "mount", "procps", "sensible-utils", "tzdata", "hostname", "libacl1", "libattr1", "libaudit1", "libblkid1",
    "libcrypt1", "libdb5.3", "libext2fs2", "libffi8", "libgmp10", "libhogweed6", "libidn2-0", "liblz4-1",
    "libmount1", "libnettle8", "libp11-kit0", "libpcre2", "libseccomp2", "libselinux1", "libsemanage2",
    "libsepol2", "libsmartcols1", "libss2", "libtasn1-6", "libtinfo6", "libunistring2", "libuuid1", "libxxhash0",
    "mawk", "ncurses-base", "ncurses-bin", "base-files", "base-passwd", "bsdutils", "debianutils", "diffutils",
    "e2fsprogs", "gpgv", "libapt-pkg", "libstdc++6", "libgcc-s1", "adduser", "curl", "wget", "git", "make",
    "gcc", "libexpat1", "libsqlite3-0", "libreadline8", "libncursesw6", "less", "vim-tiny", "nano", "iproute2",
    "iputils-ping", "netbase", "openssh-client", "xz-utils", "bzip2", "file", "libmagic1", "unzip", "zip",
    "rsync", "jq", "htop", "strace",
};

struct DistroStyle {
    std::string_view os_name;
    int packages;           // at scale 1
    DirectoryEntries directories;
    bool dot_slash;
    bool dpkg;              // Debian-style docs and package records; else apk-style
    bool arm64;
};

DistroStyle style_of(Distro distro) {
    switch (distro) {
        case Distro::debian: return {"debian", 64, DirectoryEntries::all, false, true, false};
        case Distro::ubuntu: return {"ubuntu", 32, DirectoryEntries::some, true, true, false};
        case Distro::alpine: return {"alpine", 16, DirectoryEntries::all, false, false, false};
        case Distro::alpine_arm64: return {"alpine", 10, DirectoryEntries::all, false, false, true};
        case Distro::debian_arm64: return {"debian", 20, DirectoryEntries::all, false, true, true};
    }
    return {"debian", 10, DirectoryEntries::all, false, true, false};
}

std::string package_name(int index) {
    constexpr int count = static_cast<int>(std::size(kPackageNames));
    std::string name(kPackageNames[index % count]);
    if (index >= count) name += "-" + std::to_string(index / count);
    return name;
}

License pick_license(Random& random) {
    // Debian's mix: GPL-2 dominates, then LGPL, permissive licenses.
    const auto roll = random.below(100);
    if (roll < 30) return License::gpl2;
    if (roll < 45) return License::lgpl21;
    if (roll < 55) return License::gpl3;
    if (roll < 70) return License::mit;
    if (roll < 80) return License::bsd3;
    if (roll < 90) return License::apache2;
    return License::isc;
}

ContentKind pick_script_kind(Random& random) {
    static constexpr ContentKind kinds[] = {ContentKind::script_shell, ContentKind::script_shell,
                                            ContentKind::script_perl, ContentKind::script_python};
    return random.pick(kinds);
}

void add_etc(LayerTree& tree, Random& random, const ContentPool& pool, const DistroStyle& style) {
    tree.file("etc/passwd", pool.fresh(random, ContentKind::document_text, 10, 0));
    tree.file("etc/group", pool.fresh(random, ContentKind::document_text, 9, 0));
    tree.file("etc/shadow", pool.fresh(random, ContentKind::document_text, 9, 0), 0640);
    tree.file("etc/hostname", pool.fresh(random, ContentKind::document_text, 4, 0));
    tree.file("etc/os-release", pool.fresh(random, ContentKind::document_text, 8, 0));
    tree.file("etc/motd", pool.fresh(random, ContentKind::document_text, 8, 1));
    tree.file("etc/ssl/certs/ca-certificates.crt", pool.ca_bundle());
    tree.file("etc/ld.so.cache", pool.fresh(random, ContentKind::data, 14, 1));
    tree.file("etc/profile", pool.fresh(random, ContentKind::script_shell, 10, 0));
    tree.file("etc/.pwd.lock", ContentSpec{}, 0600);
    tree.file("etc/environment", ContentSpec{});
    if (style.dpkg) {
        tree.file("etc/apt/sources.list", pool.fresh(random, ContentKind::document_text, 8, 0));
        tree.file("etc/dpkg/dpkg.cfg", pool.fresh(random, ContentKind::document_text, 9, 0));
        tree.symlink("etc/alternatives/pager", "/bin/less");
        tree.symlink("etc/alternatives/awk", "/usr/bin/mawk");
    } else {
        tree.file("etc/apk/repositories", pool.fresh(random, ContentKind::document_text, 7, 0));
        tree.file("etc/apk/world", pool.fresh(random, ContentKind::document_text, 8, 0));
    }
}

void add_dpkg_package(LayerTree& tree, Random& random, const ContentPool& pool, const std::string& name,
                      std::string_view triplet) {
    tree.file("usr/share/doc/" + name + "/copyright", pool.license(pick_license(random)));
    tree.file("usr/share/doc/" + name + "/changelog.Debian.gz", pool.fresh(random, ContentKind::archive_gzip, 11, 1));
    const int binaries = static_cast<int>(random.between(0, 3));
    for (int k = 0; k < binaries; ++k) {
        if (random.chance(1, 2)) {
            const std::string so = "usr/lib/" + std::string(triplet) + "/lib" + name + ".so." + std::to_string(k + 1);
            tree.file(so, pool.fresh(random, ContentKind::elf_shared_object, 14, 1));
            tree.symlink(so.substr(0, so.rfind(".so.") + 3), "lib" + name + ".so." + std::to_string(k + 1));
        } else {
            tree.file("usr/bin/" + name + (k ? std::to_string(k) : ""),
                      pool.fresh(random, ContentKind::elf_executable, 13, 1), 0755);
        }
    }
    if (random.chance(1, 2)) tree.file("usr/share/man/man1/" + name + ".1.gz", pool.fresh(random, ContentKind::archive_gzip, 11, 1));
    if (random.chance(1, 4)) {
        static constexpr std::string_view languages[] = {"de", "fr", "es", "ja", "pt_BR", "zh_CN"};
        const auto first = random.below(std::size(languages));
        for (std::size_t k = 0; k < 3; ++k)
            tree.file("usr/share/locale/" + std::string(languages[(first + k) % std::size(languages)]) +
                          "/LC_MESSAGES/" + name + ".mo",
                      pool.fresh(random, ContentKind::data, 13, 1));
    }
    tree.file("var/lib/dpkg/info/" + name + ".list", pool.fresh(random, ContentKind::document_text, 10, 1));
    tree.file("var/lib/dpkg/info/" + name + ".md5sums", pool.fresh(random, ContentKind::document_text, 9, 1));
    if (random.chance(1, 3))
        tree.file("var/lib/dpkg/info/" + name + ".postinst", pool.fresh(random, ContentKind::script_shell, 10, 1), 0755);
    if (random.chance(1, 4))
        tree.file("usr/bin/" + name + "-helper", pool.fresh(random, pick_script_kind(random), 11, 1), 0755);
    if (random.chance(1, 8)) {
        const std::string dir = "usr/lib/python3/dist-packages/" + name + "/";
        tree.file(dir + "__init__.py", pool.python_init());
        tree.file(dir + "core.py", pool.fresh(random, ContentKind::document_text, 12, 1));
        tree.file(dir + "__pycache__/core.cpython-311.pyc", pool.fresh(random, ContentKind::bytecode_python, 12, 1));
    }
    if (random.chance(1, 6)) tree.file("usr/include/" + name + ".h", pool.fresh(random, ContentKind::document_text, 12, 1));
    if (random.chance(1, 10))
        tree.file("usr/lib/" + std::string(triplet) + "/" + name + "-crt.o", pool.fresh(random, ContentKind::elf_relocatable, 11, 1));
}

void add_apk_package(LayerTree& tree, Random& random, const ContentPool& pool, const std::string& name) {
    if (random.chance(1, 2)) tree.file("usr/lib/lib" + name + ".so.1", pool.fresh(random, ContentKind::elf_shared_object, 14, 1), 0755);
    if (random.chance(1, 3)) tree.file("usr/bin/" + name, pool.fresh(random, ContentKind::elf_executable, 13, 1), 0755);
    if (random.chance(1, 5)) tree.file("usr/share/licenses/" + name + "/COPYING", pool.license(pick_license(random)));
}

}  // namespace

std::vector<LayerEntry> build_distro_layer(Distro distro, Random& random, const ContentPool& pool) {
    const DistroStyle style = style_of(distro);
    LayerTree tree(style.directories, style.dot_slash, random.next());
    const std::string_view triplet = style.arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";

    // Top-level directories that exist even when empty.
    for (std::string_view dir : {"home", "root", "tmp", "proc", "sys", "mnt", "media", "srv", "opt", "var/tmp", "run"})
        tree.directory(dir, dir == "tmp" || dir == "var/tmp" ? 01777 : 0755);
    add_etc(tree, random, pool, style);

    if (style.dpkg) {
        // usrmerge: the legacy top-level directories are symlinks.
        tree.symlink("bin", "usr/bin");
        tree.symlink("sbin", "usr/sbin");
        tree.symlink("lib", "usr/lib");
        tree.symlink("lib64", "usr/lib64");
        // The copied-everywhere libraries are amd64 builds; arm64 gets its own.
        for (int i = 0; i < static_cast<int>(SharedLibrary::count); ++i) {
            const auto lib = static_cast<SharedLibrary>(i);
            const std::string path = "usr/lib/" + std::string(triplet) + "/" + std::string(ContentPool::library_file_name(lib));
            tree.file(path, style.arm64 ? pool.fresh(random, ContentKind::elf_shared_object, 16, 1) : pool.shared_library(lib), 0755);
        }
        tree.file("usr/bin/perl", pool.fresh(random, ContentKind::elf_executable, 17, 0), 0755);
        tree.hardlink("usr/bin/perl5.36.0", "usr/bin/perl");
        tree.file("usr/bin/gunzip", pool.fresh(random, ContentKind::script_shell, 11, 0), 0755);
        tree.hardlink("usr/bin/uncompress", "usr/bin/gunzip");
        const int packages = pool.scale().count(style.packages);
        for (int p = 0; p < packages; ++p) add_dpkg_package(tree, random, pool, package_name(p), triplet);
        tree.file("var/lib/dpkg/status", pool.fresh(random, ContentKind::document_text, 17, 1));
        tree.file("var/lib/dpkg/lock", ContentSpec{}, 0640);
        tree.file("var/log/lastlog", ContentSpec{}, 0664);
        tree.file("var/cache/debconf/config.dat", pool.fresh(random, ContentKind::document_text, 14, 1));
    } else {
        tree.file("bin/busybox", style.arm64 ? pool.fresh(random, ContentKind::elf_executable, 19, 0) : pool.busybox(), 0755);
        for (std::string_view applet : {"sh", "ls", "cat", "cp", "mv", "rm", "grep", "sed", "tar", "gzip", "vi", "wget"})
            tree.symlink("bin/" + std::string(applet), "/bin/busybox");
        if (!style.arm64) {
            for (auto lib : {SharedLibrary::libz, SharedLibrary::libssl, SharedLibrary::libcrypto})
                tree.file("usr/lib/" + std::string(ContentPool::library_file_name(lib)), pool.shared_library(lib), 0755);
        }
        tree.file("lib/ld-musl-" + std::string(style.arm64 ? "aarch64" : "x86_64") + ".so.1",
                  pool.fresh(random, ContentKind::elf_shared_object, 19, 0), 0755);
        tree.symlink("lib/libc.musl-" + std::string(style.arm64 ? "aarch64" : "x86_64") + ".so.1",
                     "ld-musl-" + std::string(style.arm64 ? "aarch64" : "x86_64") + ".so.1");
        const int packages = pool.scale().count(style.packages);
        for (int p = 0; p < packages; ++p) add_apk_package(tree, random, pool, package_name(p));
        tree.file("lib/apk/db/installed", pool.fresh(random, ContentKind::document_text, 15, 1));
        tree.file("lib/apk/db/lock", ContentSpec{}, 0600);
    }

    // Special files: what a rootfs exported with its /dev or /run carries.
    switch (distro) {
        case Distro::debian:
            tree.device("dev/null", EntryKind::char_device, 1, 3);
            tree.device("dev/zero", EntryKind::char_device, 1, 5);
            tree.device("dev/random", EntryKind::char_device, 1, 8);
            tree.device("dev/urandom", EntryKind::char_device, 1, 9);
            tree.device("dev/tty", EntryKind::char_device, 5, 0);
            tree.device("dev/loop0", EntryKind::block_device, 7, 0);
            break;
        case Distro::ubuntu:
            tree.fifo("run/initctl");
            tree.device("dev/null", EntryKind::char_device, 1, 3);
            break;
        case Distro::alpine:
            tree.device("dev/console", EntryKind::char_device, 5, 1);
            tree.fifo("var/run/acpid.socket.fifo");
            break;
        default: break;
    }
    return tree.take();
}

}  // namespace regcensus::synth
