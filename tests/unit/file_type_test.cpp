// One positive example per rule of docs/file-types.md, plus the negatives that
// pin down the rules' edges.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "regcensus/layer/file_type.hpp"

namespace regcensus {
namespace {

using namespace std::string_literals;

// Classifies `content` as a whole file (the probe is its first kFileTypeProbeBytes bytes).
FileType classify(std::string_view content) {
    const auto bytes = std::as_bytes(std::span(content.data(), content.size()));
    return classify_file_type(bytes.first(std::min(bytes.size(), kFileTypeProbeBytes)), int64_t(content.size()));
}

// A 64-bit little-endian ELF header with e_type and, optionally, a PT_INTERP
// program header as the second entry.
std::string elf64(uint16_t e_type, bool with_interp, bool big_endian = false) {
    std::string h(64 + 2 * 56, '\0');
    h[0] = 0x7f, h[1] = 'E', h[2] = 'L', h[3] = 'F';
    h[4] = 2;                       // ELFCLASS64
    h[5] = big_endian ? 2 : 1;      // EI_DATA
    const auto put16 = [&](std::size_t at, uint16_t v) {
        h[at + (big_endian ? 1 : 0)] = char(v & 0xff);
        h[at + (big_endian ? 0 : 1)] = char(v >> 8);
    };
    const auto put32 = [&](std::size_t at, uint32_t v) {
        for (int i = 0; i < 4; ++i) h[at + (big_endian ? 3 - i : i)] = char((v >> (8 * i)) & 0xff);
    };
    put16(16, e_type);
    put32(32, 64);   // e_phoff (low half; high half zero)
    if (big_endian) put32(32, 0), put32(36, 64);
    put16(54, 56);   // e_phentsize
    put16(56, 2);    // e_phnum
    put32(64, 6);    // PT_PHDR
    put32(64 + 56, with_interp ? 3 : 1);  // PT_INTERP or PT_LOAD
    return h;
}

TEST(FileType, NamesInEnumOrder) {
    const char* expected[] = {
        "empty", "elf/executable", "elf/shared-object", "elf/relocatable", "elf/core", "elf/other",
        "code/shell", "code/python", "code/perl", "code/ruby", "code/javascript", "code/typescript", "code/php",
        "code/c", "code/go", "code/java", "code/rust", "code/lua", "code/tcl", "code/awk", "code/make", "code/m4",
        "code/other", "archive/gzip", "archive/zip", "archive/xz", "archive/bzip2", "archive/zstd", "archive/tar",
        "archive/deb", "archive/rpm", "archive/other", "image/png", "image/jpeg", "image/gif", "image/svg",
        "image/ico", "image/other", "document/text", "document/html-xml", "document/json", "document/pdf",
        "document/markdown", "document/pgp", "document/other", "bytecode/python", "bytecode/java",
        "bytecode/other", "database/sqlite", "database/berkeley", "database/other", "font", "data"};
    ASSERT_EQ(std::size(expected), kFileTypeCount);
    for (std::size_t i = 0; i < kFileTypeCount; ++i) {
        EXPECT_EQ(file_type_name(FileType(i)), expected[i]);
        EXPECT_EQ(file_type_from_name(expected[i]), FileType(i));
    }
    EXPECT_EQ(file_type_from_name("elf"), std::nullopt);
    EXPECT_EQ(file_type_from_name(""), std::nullopt);
}

TEST(FileType, Empty) { EXPECT_EQ(classify(""), FileType::empty); }

TEST(FileType, Elf) {
    EXPECT_EQ(classify(elf64(2, false)), FileType::elf_executable);
    EXPECT_EQ(classify(elf64(3, false)), FileType::elf_shared_object);
    EXPECT_EQ(classify(elf64(3, true)), FileType::elf_executable);  // PIE
    EXPECT_EQ(classify(elf64(1, false)), FileType::elf_relocatable);
    EXPECT_EQ(classify(elf64(4, false)), FileType::elf_core);
    EXPECT_EQ(classify(elf64(0xfe00, false)), FileType::elf_other);
    EXPECT_EQ(classify(elf64(2, false, true)), FileType::elf_executable);
    EXPECT_EQ(classify(elf64(3, true, true)), FileType::elf_executable);
    EXPECT_EQ(classify(elf64(3, false, true)), FileType::elf_shared_object);
    EXPECT_EQ(classify("\x7f" "ELF\x02\x01"), FileType::elf_other);  // too short for e_type
}

TEST(FileType, ElfInterpreterBeyondTheProbeIsIgnored) {
    std::string elf = elf64(3, false);
    elf[56] = char(200);  // e_phnum 200: the interpreter header sits beyond the probe
    elf.resize(9000, '\0');
    elf[64 + 150 * 56] = 3;  // PT_INTERP at entry 150, offset 8464 > kFileTypeProbeBytes
    EXPECT_EQ(classify(elf), FileType::elf_shared_object);
}

TEST(FileType, Scripts) {
    EXPECT_EQ(classify("#!/bin/sh\n"), FileType::code_shell);
    EXPECT_EQ(classify("#! /bin/bash -e\nset -x\n"), FileType::code_shell);
    for (auto shell : {"dash", "ash", "zsh", "ksh", "busybox"})
        EXPECT_EQ(classify("#!/bin/"s + shell + "\n"), FileType::code_shell) << shell;
    EXPECT_EQ(classify("#!/usr/bin/python3.11\n"), FileType::code_python);
    EXPECT_EQ(classify("#!/usr/bin/env python3\n"), FileType::code_python);
    EXPECT_EQ(classify("#!/usr/bin/env -S python3 -u\n"), FileType::code_python);
    EXPECT_EQ(classify("#!/usr/bin/perl -w\n"), FileType::code_perl);
    EXPECT_EQ(classify("#!/usr/bin/env ruby\n"), FileType::code_ruby);
    EXPECT_EQ(classify("#!/usr/bin/env node\n"), FileType::code_javascript);
    EXPECT_EQ(classify("#!/usr/bin/nodejs\n"), FileType::code_javascript);
    EXPECT_EQ(classify("#!/usr/bin/php8.2\n"), FileType::code_php);
    EXPECT_EQ(classify("<?php echo 1;\n"), FileType::code_php);
    EXPECT_EQ(classify("#!/usr/bin/awk -f\n"), FileType::code_awk);
    EXPECT_EQ(classify("#!/usr/bin/tclsh\n"), FileType::code_tcl);
    EXPECT_EQ(classify("#!/usr/bin/make -f\n"), FileType::code_make);
    EXPECT_EQ(classify("#!/bin/sed -nf\n"), FileType::code_other);
    EXPECT_EQ(classify("#!/usr/bin/env\n"), FileType::code_other);
    EXPECT_EQ(classify("#!/bin/shell\n"), FileType::code_other);  // not exactly "sh"
    EXPECT_EQ(classify("#!/usr/bin/nodemon\n"), FileType::code_other);
    EXPECT_EQ(classify("#!/bin/sh"), FileType::code_shell);  // no newline at all
}

TEST(FileType, Archives) {
    EXPECT_EQ(classify("\x1f\x8b\x08\x00rest"), FileType::archive_gzip);
    EXPECT_EQ(classify("PK\x03\x04rest"), FileType::archive_zip);
    EXPECT_EQ(classify("PK\x05\x06"s + std::string(18, '\0')), FileType::archive_zip);
    EXPECT_EQ(classify("\xfd" "7zXZ\x00\x00\x04"s), FileType::archive_xz);
    EXPECT_EQ(classify("BZh91AY&SY"), FileType::archive_bzip2);
    EXPECT_NE(classify("BZh0"), FileType::archive_bzip2);
    EXPECT_EQ(classify("\x28\xb5\x2f\xfd\x04\x00"), FileType::archive_zstd);
    std::string tar(1024, '\0');
    tar.replace(0, 5, "hello");
    tar.replace(257, 6, "ustar\0"s);
    EXPECT_EQ(classify(tar), FileType::archive_tar);
}

TEST(FileType, Images) {
    EXPECT_EQ(classify("\x89PNG\r\n\x1a\n\x00\x00"s), FileType::image_png);
    EXPECT_EQ(classify("\xff\xd8\xff\xe0\x00\x10JFIF"s), FileType::image_jpeg);
    EXPECT_EQ(classify("GIF87a...."), FileType::image_gif);
    EXPECT_EQ(classify("GIF89a...."), FileType::image_gif);
    EXPECT_EQ(classify("\x00\x00\x01\x00\x02\x00\x10\x10"s), FileType::image_ico);
    EXPECT_EQ(classify("\x00\x00\x01\x00\x00\x00\x10\x10"s), FileType::data);  // zero images
    EXPECT_EQ(classify("<svg xmlns=\"http://www.w3.org/2000/svg\"/>"), FileType::image_svg);
    EXPECT_EQ(classify("  \n<?xml version=\"1.0\"?>\n<!-- x -->\n<svg width=\"1\"/>"), FileType::image_svg);
}

TEST(FileType, Documents) {
    EXPECT_EQ(classify("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"), FileType::document_pdf);
    EXPECT_EQ(classify("<?xml version=\"1.0\"?><root/>"), FileType::document_html_xml);
    EXPECT_EQ(classify("<!doctype HTML><title>x</title>"), FileType::document_html_xml);
    EXPECT_EQ(classify("\n\n  <HTML><body></body></HTML>"), FileType::document_html_xml);
    EXPECT_EQ(classify("{\"key\": [1, 2]}"), FileType::document_json);
    EXPECT_EQ(classify("\t[1, 2, 3]\n"), FileType::document_json);
    EXPECT_EQ(classify("# Title\n\nSome text.\n"), FileType::document_text);  // libmagic has no markdown
    EXPECT_EQ(classify("#Title\n"), FileType::document_text);
    EXPECT_EQ(classify("plain words\twith tab\r\nand \x1b[1mescape\f\n"), FileType::document_text);
    EXPECT_EQ(classify("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\n"), FileType::document_text);
    EXPECT_EQ(classify("   \n\n"), FileType::document_text);
}

TEST(FileType, TextNeedsCleanUtf8WithoutControlBytes) {
    EXPECT_EQ(classify("text with a NUL\0 byte"s), FileType::data);
    EXPECT_EQ(classify("bell \x07 byte"), FileType::data);
    EXPECT_EQ(classify("latin-1 caf\xe9 here"), FileType::data);
    EXPECT_EQ(classify("overlong \xc0\xaf slash"), FileType::data);
    EXPECT_EQ(classify("surrogate \xed\xa0\x80 here"), FileType::data);
    // A multi-byte sequence cut by the probe's end is allowed (the file goes on) ...
    std::string cut(511, 'a');
    cut += "\xe6\x97\xa5";
    EXPECT_EQ(classify(cut), FileType::document_text);
    // ... but not one cut by the file's own end.
    EXPECT_EQ(classify("ends in \xe6\x97"), FileType::data);
}

TEST(FileType, Bytecode) {
    EXPECT_EQ(classify("\xca\xfe\xba\xbe\x00\x00\x00\x34"s), FileType::bytecode_java);
    EXPECT_EQ(classify("\xcb\x0d\x0d\x0a\x00\x00\x00\x00"s), FileType::bytecode_python);  // 3531: 3.12
    EXPECT_EQ(classify("\x55\x0b\x0d\x0a\x00\x00\x00\x00"s), FileType::bytecode_python);  // 2901
    EXPECT_EQ(classify("\x03\xf3\x0d\x0a\x00\x00\x00\x00"s), FileType::bytecode_python);  // 2.7
    EXPECT_EQ(classify("\xd1\xf2\x0d\x0a\x00\x00\x00\x00"s), FileType::bytecode_python);  // 2.6
    EXPECT_EQ(classify("\x10\x27\x0d\x0a\x00\x00\x00\x00"s), FileType::data);  // 10000: out of range
}

TEST(FileType, Databases) {
    EXPECT_EQ(classify("SQLite format 3\0\x10\x00"s), FileType::database_sqlite);
    for (auto magic : {"\x00\x06\x15\x61"s, "\x61\x15\x06\x00"s, "\x00\x05\x31\x62"s, "\x62\x31\x05\x00"s,
                       "\x00\x04\x09\x88"s, "\x88\x09\x04\x00"s}) {
        std::string db(64, '\0');
        db.replace(12, 4, magic);
        EXPECT_EQ(classify(db), FileType::database_berkeley);
    }
}

TEST(FileType, Fonts) {
    EXPECT_EQ(classify("\x00\x01\x00\x00\x00\x0e\x00\x80"s), FileType::font);
    EXPECT_EQ(classify("OTTO\x00\x0b"s), FileType::font);
    EXPECT_EQ(classify("wOFF\x00\x01"s), FileType::font);
    EXPECT_EQ(classify("wOF2\x00\x01"s), FileType::font);
    EXPECT_EQ(classify("ttcf\x00\x01"s), FileType::font);
}

TEST(FileType, Data) {
    EXPECT_EQ(classify("\x00\x01\x02\x03\xff"s), FileType::data);
}

TEST(FileType, FirstMatchWins) {
    // A gzip file is an archive even if the probe happens to be... anything else.
    EXPECT_EQ(classify("\x1f\x8b{\"json\": true}"), FileType::archive_gzip);
    // Shebang before text: a script is not a document.
    EXPECT_EQ(classify("#!/bin/sh\n# comment\n"), FileType::code_shell);
    // A probe shorter than the file is what classify_file_type sees; size only matters for "empty".
    const std::string text = "hello";
    EXPECT_EQ(classify_file_type(std::as_bytes(std::span(text.data(), text.size())), 1 << 20),
              FileType::document_text);
}

// The content rules for text without #! (src/layer/text_type.cpp), one
// example and the near misses per rule, as libmagic 5.44 names such files
// (each example was checked with `file` 5.44), and the families.

TEST(FileTypeFamily, FamilyIsTheNameBeforeTheSlash) {
    EXPECT_EQ(file_type_family(FileType::code_python), "code");
    EXPECT_EQ(file_type_family(FileType::elf_core), "elf");
    EXPECT_EQ(file_type_family(FileType::document_pgp), "document");
    EXPECT_EQ(file_type_family(FileType::empty), "empty");
    EXPECT_EQ(file_type_family(FileType::font), "font");
    EXPECT_EQ(file_type_family(FileType::data), "data");
    // Every category's family is one of the ten, and families are contiguous in enum order.
    std::size_t family = 0;
    for (std::size_t t = 0; t < kFileTypeCount; ++t) {
        const auto name = file_type_family(FileType(t));
        if (name != kFileTypeFamilies[family]) ++family;
        ASSERT_LT(family, std::size(kFileTypeFamilies));
        EXPECT_EQ(name, kFileTypeFamilies[family]) << file_type_name(FileType(t));
    }
    EXPECT_EQ(family + 1, std::size(kFileTypeFamilies));
}

TEST(FileTypeFamily, PerlModules) {
    EXPECT_EQ(classify("package Foo::Bar;\nuse strict;\n1;\n"), FileType::code_perl);
    EXPECT_EQ(classify("# comment\npackage\tFoo ;\n"), FileType::code_perl);
    EXPECT_EQ(classify("package Foo\n"), FileType::document_text);  // no ';'
    EXPECT_EQ(classify("  package Foo;\n"), FileType::document_text);  // not at the line start
}

TEST(FileTypeFamily, Python) {
    EXPECT_EQ(classify("\"\"\"Module docstring.\"\"\"\n"), FileType::code_python);
    EXPECT_EQ(classify("# x\nfrom os.path import join\n"), FileType::code_python);
    EXPECT_EQ(classify("class Thing(object):\n    pass\n"), FileType::code_python);
    EXPECT_EQ(classify("class Thing:\n"), FileType::code_python);
    EXPECT_EQ(classify("    def run(self, *args):\n"), FileType::code_python);
    EXPECT_EQ(classify("try:\n    x = 1\nexcept KeyError:\n"), FileType::code_python);
    EXPECT_EQ(classify("x\n  def __init__(self):\n"), FileType::code_python);
    EXPECT_EQ(classify("if __name__ == '__main__':\n    main()\n"), FileType::code_python);
    EXPECT_EQ(classify("import os\n"), FileType::document_text);  // libmagic needs more than `import`
    EXPECT_EQ(classify("    def run(self, x=1):\n"), FileType::document_text);  // '=' and digits fail the rule
}

TEST(FileTypeFamily, CAndCplusplus) {
    EXPECT_EQ(classify("/* x */\n#include <stdio.h>\n"), FileType::code_c);
    EXPECT_EQ(classify("#ifndef X_H\n#define X_H\n"), FileType::code_c);
    EXPECT_EQ(classify("#  pragma once\n"), FileType::code_c);
    EXPECT_EQ(classify("struct point {\n"), FileType::code_c);
    EXPECT_EQ(classify("  extern int x;\n"), FileType::code_c);
    EXPECT_EQ(classify("\tchar *name;\n"), FileType::code_c);
    EXPECT_EQ(classify("namespace foo {\n"), FileType::code_c);
    EXPECT_EQ(classify("template <typename T>\n"), FileType::code_c);
    EXPECT_EQ(classify("  public:\n"), FileType::code_c);
    EXPECT_EQ(classify("structure\n"), FileType::document_text);
    EXPECT_EQ(classify("# include <stdio.h>\n"), FileType::document_text);  // `#include` exactly
}

TEST(FileTypeFamily, JavaScript) {
    EXPECT_EQ(classify("'use strict';\nvar a = 1;\n"), FileType::code_javascript);
    EXPECT_EQ(classify("x\n\"use strict\"\n"), FileType::code_javascript);
    EXPECT_EQ(classify("module.exports = foo;\n"), FileType::code_javascript);
    EXPECT_EQ(classify("var debug = require('debug')('x');\n"), FileType::code_javascript);
    EXPECT_EQ(classify("export default class A {}\n"), FileType::code_javascript);
    EXPECT_EQ(classify("import x from 'y';\n"), FileType::code_javascript);
    EXPECT_EQ(classify(";(function(root) {\n"), FileType::code_javascript);
    EXPECT_EQ(classify("if (typeof x === 'y') {}\n"), FileType::code_javascript);
    EXPECT_EQ(classify("  var a = require('b');\n"), FileType::document_text);  // indented: not the rule
}

TEST(FileTypeFamily, RubyAwkPodPgp) {
    EXPECT_EQ(classify("require 'json'\ndef foo\n  1\nend\n"), FileType::code_ruby);
    EXPECT_EQ(classify("class Foo\n  def bar\n  end\nend\n"), FileType::code_ruby);
    EXPECT_EQ(classify("require 'json'\n"), FileType::code_ruby);
    EXPECT_EQ(classify("BEGIN {\n  FS = \":\"\n}\n"), FileType::code_awk);
    EXPECT_EQ(classify("=head1 NAME\n\nFoo - bar\n"), FileType::document_text);  // Perl POD: a document
    EXPECT_EQ(classify("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n"), FileType::document_pgp);
    EXPECT_EQ(classify("int main(String[] args) {\n"), FileType::code_java);
}

TEST(FileTypeFamily, RulesLookPastTheFirst512Bytes) {
    const std::string text = std::string(4000, 'a') + "\npackage Foo;\n";
    EXPECT_EQ(classify(text), FileType::code_perl);
    const std::string late = std::string(kFileTypeProbeBytes, 'a') + "\npackage Foo;\n";
    EXPECT_EQ(classify(late), FileType::document_text);  // beyond the probe, as beyond libmagic's 8 KiB search
}

TEST(FileTypeFamily, JsonOnlyWhereItCanParse) {
    EXPECT_EQ(classify("[\n  {\"a\": 1}\n]\n"), FileType::document_json);
    EXPECT_EQ(classify("[1, 2]"), FileType::document_json);
    EXPECT_EQ(classify("{ }"), FileType::document_json);
    EXPECT_EQ(classify("[Unit]\nDescription=x\n"), FileType::document_text);  // an INI section
    EXPECT_EQ(classify("{foo}\n"), FileType::document_text);
}

TEST(FileTypeFamily, ArchivesOfPackages) {
    EXPECT_EQ(classify("!<arch>\ndebian-binary   1342385037  0     0     100644  4         `\n2.0\n"),
              FileType::archive_deb);
    EXPECT_EQ(classify("\xed\xab\xee\xdb\x03\x00\x00\x00"s), FileType::archive_rpm);
    EXPECT_EQ(classify("!<arch>\nfoo.o/          0           0     0     644     8         `\n"),
              FileType::archive_other);
    EXPECT_EQ(classify("7z\xbc\xaf\x27\x1c\x00\x04"s), FileType::archive_other);
}

}  // namespace
}  // namespace regcensus
