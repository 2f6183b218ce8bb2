// The content rules for text without #! (src/layer/text_type.cpp), one
// example and the near misses per rule, as libmagic 5.44 names such files
// (each positive example was checked with `file` 5.44), and the families.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "regcensus/layer/file_type.hpp"

namespace regcensus {
namespace {

using namespace std::string_literals;

FileType classify(std::string_view content) {
    const auto bytes = std::as_bytes(std::span(content.data(), content.size()));
    return classify_file_type(bytes.first(std::min(bytes.size(), kFileTypeProbeBytes)), int64_t(content.size()));
}

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
