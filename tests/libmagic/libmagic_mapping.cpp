#include "libmagic_mapping.hpp"

#include <initializer_list>

namespace regcensus::libmagic {
namespace {

bool has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

bool has_any(std::string_view text, std::initializer_list<std::string_view> parts) {
    for (auto part : parts)
        if (has(text, part)) return true;
    return false;
}

FileType elf_category(std::string_view description) {
    if (has(description, "relocatable")) return FileType::elf_relocatable;
    if (has(description, "core file")) return FileType::elf_core;
    // "pie executable" (ET_DYN with DF_1_PIE) and "executable" (ET_EXEC).
    if (has(description, "executable")) return FileType::elf_executable;
    if (has(description, "shared object")) return FileType::elf_shared_object;
    return FileType::elf_other;
}

// "a /usr/bin/mawk -f script": libmagic names the interpreter of a #! line it
// has no rule for.
FileType interpreter_kind(std::string_view interpreter) {
    interpreter = interpreter.substr(interpreter.rfind('/') + 1);
    for (std::string_view shell : {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "busybox", "csh", "tcsh"})
        if (interpreter == shell) return FileType::code_shell;
    if (interpreter.starts_with("python")) return FileType::code_python;
    if (interpreter.starts_with("perl")) return FileType::code_perl;
    if (interpreter.starts_with("ruby")) return FileType::code_ruby;
    if (interpreter == "node" || interpreter == "nodejs") return FileType::code_javascript;
    if (interpreter.starts_with("php")) return FileType::code_php;
    for (std::string_view awk : {"awk", "gawk", "mawk", "nawk"})
        if (interpreter == awk) return FileType::code_awk;
    if (interpreter.starts_with("tclsh") || interpreter.starts_with("wish")) return FileType::code_tcl;
    if (interpreter.starts_with("lua")) return FileType::code_lua;
    if (interpreter == "make") return FileType::code_make;
    return FileType::code_other;
}

// The language libmagic names in a description of source or a script.
FileType code_kind(std::string_view description) {
    if (description.starts_with("a ")) {
        const auto end = description.find(' ', 2);
        std::string_view interpreter = description.substr(2, end == std::string_view::npos ? end : end - 2);
        if (interpreter.ends_with("/env") && end != std::string_view::npos) {
            const auto next = description.find(' ', end + 1);
            interpreter = description.substr(end + 1, next == std::string_view::npos ? next : next - end - 1);
        }
        return interpreter_kind(interpreter);
    }
    if (has_any(description, {"shell script", "Bourne-Again", "zsh script"})) return FileType::code_shell;
    if (has(description, "Python")) return FileType::code_python;
    if (has(description, "awk")) return FileType::code_awk;  // "awk or perl script" names awk first
    if (has(description, "Perl")) return FileType::code_perl;
    if (has(description, "Ruby")) return FileType::code_ruby;
    if (has_any(description, {"JavaScript", "Node.js"})) return FileType::code_javascript;
    if (has(description, "TypeScript")) return FileType::code_typescript;
    if (has(description, "PHP")) return FileType::code_php;
    if (has_any(description, {"C source", "C++ source", "Objective-C source"})) return FileType::code_c;
    if (has(description, "Go source")) return FileType::code_go;
    if (has(description, "Java source")) return FileType::code_java;
    if (has(description, "Rust source")) return FileType::code_rust;
    if (has(description, "Lua ")) return FileType::code_lua;
    if (has(description, "Tcl ")) return FileType::code_tcl;
    if (has_any(description, {"makefile", "Makefile"})) return FileType::code_make;
    if (has(description, "M4 macro")) return FileType::code_m4;
    return FileType::code_other;
}

bool is_code(std::string_view description, std::string_view mime) {
    if (!mime.starts_with("text/") && mime != "application/javascript") return false;
    return has_any(description, {"script", " source", "makefile", "Makefile", "M4 macro"});
}

}  // namespace

FileType category_of(std::string_view description, std::string_view mime) {
    if (mime == "application/x-empty" || mime == "inode/x-empty" || description == "empty") return FileType::empty;
    if (description.starts_with("ELF ") || description.starts_with("setuid ELF ") ||
        description.starts_with("setgid ELF ") || description.starts_with("setuid, setgid ELF "))
        return elf_category(description);
    if (is_code(description, mime)) return code_kind(description);
    if (mime == "text/x-php") return FileType::code_php;  // "<?php" without #!

    if (mime == "application/gzip" || mime == "application/x-gzip") return FileType::archive_gzip;
    if (mime == "application/zip" || mime == "application/java-archive") return FileType::archive_zip;
    if (mime == "application/x-xz") return FileType::archive_xz;
    if (mime == "application/x-bzip2") return FileType::archive_bzip2;
    if (mime == "application/zstd" || mime == "application/x-zstd") return FileType::archive_zstd;
    if (mime == "application/x-tar" || mime == "application/x-gtar") return FileType::archive_tar;
    if (mime == "application/vnd.debian.binary-package") return FileType::archive_deb;
    if (mime == "application/x-rpm") return FileType::archive_rpm;
    if (mime == "application/x-archive" || mime == "application/x-7z-compressed" ||
        has_any(description, {"archive data", "compressed data"}))
        return FileType::archive_other;

    if (mime == "image/png") return FileType::image_png;
    if (mime == "image/jpeg") return FileType::image_jpeg;
    if (mime == "image/gif") return FileType::image_gif;
    if (mime == "image/svg+xml") return FileType::image_svg;
    if (mime == "image/vnd.microsoft.icon" || mime == "image/x-icon") return FileType::image_ico;
    if (mime.starts_with("image/")) return FileType::image_other;

    if (mime == "application/pdf") return FileType::document_pdf;
    if (mime == "text/html" || mime == "text/xml" || mime == "application/xml" || has(description, "SGML document"))
        return FileType::document_html_xml;
    if (mime == "application/json") return FileType::document_json;
    if (mime == "text/markdown") return FileType::document_markdown;
    // ASCII-armoured OpenPGP (keys, signatures, signed messages); the binary
    // form ("OpenPGP Public Key") is data.
    if (description.starts_with("PGP ")) return FileType::document_pgp;

    if (mime == "application/x-bytecode.python") return FileType::bytecode_python;
    if (mime == "application/x-java-applet" || has(description, "compiled Java class"))
        return FileType::bytecode_java;
    if (mime == "application/vnd.sqlite3" || mime == "application/x-sqlite3") return FileType::database_sqlite;
    if (has(description, "Berkeley DB")) return FileType::database_berkeley;
    if (mime.starts_with("font/") || mime == "application/vnd.ms-opentype" ||
        mime == "application/x-font-ttf" || has(description, "TrueType") || has(description, "OpenType"))
        return FileType::font;

    // Every other text/* (plain text, CSV, troff, diffs, Perl POD, config
    // files): text.
    if (mime.starts_with("text/")) return FileType::document_text;
    return FileType::data;
}

}  // namespace regcensus::libmagic
