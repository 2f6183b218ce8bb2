#include "libmagic_mapping.hpp"

#include <initializer_list>

namespace regcensus::libmagic {
namespace {

bool has(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

FileType elf_category(std::string_view description) {
    if (has(description, "relocatable")) return FileType::elf_relocatable;
    if (has(description, "core file")) return FileType::elf_core;
    // "pie executable" (ET_DYN with DF_1_PIE) and "executable" (ET_EXEC).
    if (has(description, "executable")) return FileType::elf_executable;
    if (has(description, "shared object")) return FileType::elf_shared_object;
    return FileType::elf_other;
}

// libmagic names a script by its interpreter in the description ("POSIX shell
// script", "Perl script text executable", "a /usr/bin/env tclsh script").
FileType script_category(std::string_view description, std::string_view mime) {
    if (mime == "text/x-shellscript") return FileType::script_shell;
    if (mime == "text/x-perl") return FileType::script_perl;
    if (mime == "text/x-script.python" || mime == "text/x-python") return FileType::script_python;
    if (mime == "text/x-ruby") return FileType::script_ruby;
    if (mime == "application/javascript" || has(description, "Node.js")) return FileType::script_node;
    if (mime == "text/x-php") return FileType::script_php;
    // "a /bin/dash script": libmagic names the interpreter but has no MIME for it.
    if (description.starts_with("a ")) {
        std::string_view interpreter = description.substr(2, description.find(' ', 2) - 2);
        interpreter = interpreter.substr(interpreter.rfind('/') + 1);
        for (std::string_view shell : {"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
            if (interpreter == shell) return FileType::script_shell;
        if (interpreter.starts_with("python")) return FileType::script_python;
        if (interpreter.starts_with("perl")) return FileType::script_perl;
        if (interpreter.starts_with("ruby")) return FileType::script_ruby;
        if (interpreter == "node" || interpreter == "nodejs") return FileType::script_node;
        if (interpreter.starts_with("php")) return FileType::script_php;
    }
    return FileType::script_other;
}

}  // namespace

FileType category_of(std::string_view description, std::string_view mime) {
    if (mime == "application/x-empty" || mime == "inode/x-empty" || description == "empty") return FileType::empty;
    if (description.starts_with("ELF ")) return elf_category(description);
    // A script is text that names an interpreter; libmagic says "script" only
    // then (a Perl module without #! is "Perl5 module source text": text).
    if (has(description, "script") && (mime.starts_with("text/") || mime == "application/javascript"))
        return script_category(description, mime);
    if (mime == "text/x-php") return FileType::script_php;  // "<?php" without #!

    if (mime == "application/gzip" || mime == "application/x-gzip") return FileType::archive_gzip;
    if (mime == "application/zip" || mime == "application/java-archive") return FileType::archive_zip;
    if (mime == "application/x-xz") return FileType::archive_xz;
    if (mime == "application/x-bzip2") return FileType::archive_bzip2;
    if (mime == "application/zstd" || mime == "application/x-zstd") return FileType::archive_zstd;
    if (mime == "application/x-tar" || mime == "application/x-gtar") return FileType::archive_tar;

    if (mime == "image/png") return FileType::image_png;
    if (mime == "image/jpeg") return FileType::image_jpeg;
    if (mime == "image/gif") return FileType::image_gif;
    if (mime == "image/svg+xml") return FileType::image_svg;
    if (mime == "image/vnd.microsoft.icon" || mime == "image/x-icon") return FileType::image_ico;

    if (mime == "application/pdf") return FileType::document_pdf;
    if (mime == "text/html" || mime == "text/xml" || mime == "application/xml") return FileType::document_html_xml;
    if (mime == "application/json") return FileType::document_json;
    if (mime == "text/markdown") return FileType::document_markdown;

    if (mime == "application/x-bytecode.python") return FileType::bytecode_python;
    if (mime == "application/x-java-applet" || has(description, "compiled Java class"))
        return FileType::bytecode_java;
    if (mime == "application/vnd.sqlite3" || mime == "application/x-sqlite3") return FileType::database_sqlite;
    if (has(description, "Berkeley DB")) return FileType::database_berkeley;
    if (mime.starts_with("font/") || mime == "application/vnd.ms-opentype" ||
        mime == "application/x-font-ttf" || has(description, "TrueType") || has(description, "OpenType"))
        return FileType::font;

    // ASCII-armoured OpenPGP (keys, signatures): text, whatever its MIME type.
    if (description.starts_with("PGP public key block") || description.starts_with("PGP signature") ||
        description.starts_with("PGP message"))
        return FileType::document_text;
    // Every other text/* (C source, makefiles, troff, diffs, config files):
    // plain text to us.
    if (mime.starts_with("text/")) return FileType::document_text;
    return FileType::data;
}

bool agrees(FileType ours, FileType theirs) {
    if (ours == theirs) return true;
    // libmagic has no markdown: a text file whose first line starts "# " is
    // markdown to us and text to libmagic.
    return ours == FileType::document_markdown && theirs == FileType::document_text;
}

}  // namespace regcensus::libmagic
