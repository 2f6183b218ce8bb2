// Every content kind of the corpus must fall unambiguously into its
// docs/file-types.md category. These checks restate the signature rules
// independently (no analyser code) for many seeds and sizes.
#include <gtest/gtest.h>

#include <string>

#include "regcensus/synth/content.hpp"
#include "regcensus/synth/content_hash.hpp"

namespace regcensus::synth {
namespace {

bool is_probe_text(std::string_view bytes) {
    const std::string_view probe = bytes.substr(0, 512);
    for (unsigned char c : probe) {
        if (c == 0 || c >= 0x80) return false;  // the corpus's text is ASCII
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) return false;
    }
    return true;
}

bool starts(std::string_view bytes, std::string_view magic) { return bytes.substr(0, magic.size()) == magic; }

// Nothing earlier in the rule table may claim a text file.
bool text_free_of_signatures(std::string_view bytes) {
    if (starts(bytes, "#!") || starts(bytes, "<?php") || starts(bytes, "BZh") || starts(bytes, "OTTO") ||
        starts(bytes, "wOFF") || starts(bytes, "wOF2") || starts(bytes, "ttcf") || starts(bytes, "GIF8") ||
        starts(bytes, "%PDF-") || starts(bytes, "PK"))
        return false;
    return !(bytes.size() >= 4 && bytes[2] == '\r' && bytes[3] == '\n');
}

void expect_category(ContentKind kind, const std::string& bytes) {
    const std::string_view b = bytes;
    SCOPED_TRACE(std::string(content_type_name(kind)) + " of " + std::to_string(bytes.size()) + " bytes");
    if (kind == ContentKind::empty) {
        EXPECT_TRUE(bytes.empty());
        return;
    }
    ASSERT_FALSE(bytes.empty());
    switch (kind) {
        case ContentKind::elf_executable:
        case ContentKind::elf_shared_object:
        case ContentKind::elf_relocatable: {
            ASSERT_GE(bytes.size(), 64u);
            EXPECT_TRUE(starts(b, "\x7f" "ELF"));
            EXPECT_EQ(b[5], 1);  // little-endian
            const int e_type = static_cast<unsigned char>(b[16]) | static_cast<unsigned char>(b[17]) << 8;
            EXPECT_EQ(e_type, kind == ContentKind::elf_executable ? 2 : kind == ContentKind::elf_shared_object ? 3 : 1);
            EXPECT_EQ(b[56], 0);  // e_phnum = 0: no PT_INTERP
            EXPECT_EQ(b[57], 0);
            break;
        }
        case ContentKind::script_shell: EXPECT_TRUE(starts(b, "#!/bin/sh") || starts(b, "#!/bin/bash") || starts(b, "#!/usr/bin/env bash")); break;
        case ContentKind::script_python: EXPECT_TRUE(starts(b, "#!/usr/bin/env python3") || starts(b, "#!/usr/bin/python3") || starts(b, "#!/usr/local/bin/python3")); break;
        case ContentKind::script_perl: EXPECT_TRUE(starts(b, "#!/usr/bin/perl") || starts(b, "#!/usr/bin/env perl")); break;
        case ContentKind::script_ruby: EXPECT_TRUE(starts(b, "#!/usr/bin/env ruby") || starts(b, "#!/usr/bin/ruby")); break;
        case ContentKind::script_node: EXPECT_TRUE(starts(b, "#!/usr/bin/env node") || starts(b, "#!/usr/local/bin/node")); break;
        case ContentKind::archive_gzip: EXPECT_TRUE(starts(b, "\x1f\x8b")); break;
        case ContentKind::archive_zip: EXPECT_TRUE(starts(b, "PK\x03\x04")); break;
        case ContentKind::image_png: EXPECT_TRUE(starts(b, "\x89PNG\r\n\x1a\n")); break;
        case ContentKind::image_jpeg: EXPECT_TRUE(starts(b, "\xff\xd8\xff")); break;
        case ContentKind::bytecode_python: {
            const int magic = static_cast<unsigned char>(b[0]) | static_cast<unsigned char>(b[1]) << 8;
            EXPECT_TRUE(magic >= 2900 && magic <= 3999);
            EXPECT_EQ(b.substr(2, 2), "\r\n");
            break;
        }
        case ContentKind::data:
            EXPECT_TRUE(starts(b, std::string_view("\x00\xde\xad\xbe\xef", 5)));
            EXPECT_GE(bytes.size(), 16u);  // the fixed prefix covers every offset a rule reads
            break;
        case ContentKind::image_svg:
            EXPECT_TRUE(is_probe_text(b));
            EXPECT_TRUE(starts(b, "<svg"));
            break;
        case ContentKind::document_html_xml:
            EXPECT_TRUE(is_probe_text(b));
            EXPECT_TRUE(starts(b, "<!DOCTYPE html") || starts(b, "<?xml"));
            EXPECT_EQ(b.substr(0, 512).find("<svg"), std::string_view::npos);
            break;
        case ContentKind::document_json:
            EXPECT_TRUE(is_probe_text(b));
            EXPECT_TRUE(starts(b, "{") || starts(b, "["));
            break;
        case ContentKind::document_markdown:
            EXPECT_TRUE(is_probe_text(b));
            EXPECT_TRUE(starts(b, "# "));
            break;
        case ContentKind::document_text:
            EXPECT_TRUE(is_probe_text(b));
            EXPECT_TRUE(text_free_of_signatures(b));
            EXPECT_TRUE(b[0] != '#' && b[0] != '{' && b[0] != '[' && b[0] != '<' && b[0] != ' ' && b[0] != '\n');
            break;
        case ContentKind::empty: break;
    }
    if (kind >= ContentKind::script_shell && kind <= ContentKind::script_node) {
        EXPECT_TRUE(is_probe_text(b));
    }
}

TEST(SynthContent, EveryKindFallsIntoItsCategory) {
    for (int k = 0; k <= static_cast<int>(ContentKind::data); ++k) {
        const auto kind = static_cast<ContentKind>(k);
        for (int64_t size : {0, 1, 17, 100, 511, 4096, 70000}) {
            for (uint64_t seed = 1; seed <= 6; ++seed) expect_category(kind, generate_content({kind, seed * 7919 + size, size}));
        }
    }
}

TEST(SynthContent, SameSpecSameBytesAndSizesFollowTheTarget) {
    const ContentSpec spec{ContentKind::document_text, 99, 5000};
    EXPECT_EQ(generate_content(spec), generate_content(spec));
    EXPECT_EQ(generate_content(spec).size(), 5000u);
    EXPECT_EQ(generate_content({ContentKind::data, 5, 1024}).size(), 1024u);
    EXPECT_NE(generate_content(spec), generate_content({ContentKind::document_text, 100, 5000}));
}

TEST(SynthContent, TypeNamesFollowTheFileTypeTable) {
    const auto names = all_file_type_names();
    ASSERT_EQ(names.size(), 53u);
    EXPECT_EQ(names.front(), "empty");
    EXPECT_EQ(names.back(), "data");
    for (int k = 0; k <= static_cast<int>(ContentKind::data); ++k) {
        const auto name = content_type_name(static_cast<ContentKind>(k));
        EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
    }
}

TEST(SynthContent, HashIsCanonicalXxh3Hex) {
    // XXH3-128 of the empty input, high 64 bits first.
    EXPECT_EQ(content_hash_hex(""), "99aa06d3014798d86001c324468d497f");
    EXPECT_EQ(content_hash_hex("abc").size(), 32u);
}

}  // namespace
}  // namespace regcensus::synth
