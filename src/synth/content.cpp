#include "regcensus/synth/content.hpp"

#include <array>
#include <cstring>

#include "regcensus/layer/file_type.hpp"
#include "compression.hpp"
#include "random.hpp"

namespace regcensus::synth {

namespace {

// Lower-case ASCII words: text made of them is valid UTF-8 without control
// bytes, and no word begins like a signature ("BZh", "OTTO", "ttcf", "wOFF").
constexpr std::string_view kWords[] = {
    "the", "of", "and", "to", "in", "is", "for", "that", "with", "as", "on", "by", "this", "be", "are",
    "from", "or", "it", "at", "an", "not", "which", "all", "may", "can", "will", "any", "software",
    "license", "copyright", "program", "version", "source", "code", "file", "files", "without",
    "warranty", "distribution", "permission", "notice", "terms", "conditions", "modify", "public",
    "general", "free", "foundation", "library", "system", "package", "default", "configuration",
    "value", "return", "error", "option", "server", "client", "request", "data", "image", "layer",
    "registry", "container", "build", "install", "path", "user", "directory", "module", "function",
};

class TextComposer {
public:
    explicit TextComposer(Random& random) : random_(random) {}

    // Appends words (lines of about 72 characters) until `out` reaches `size`, then cuts it there.
    void words(std::string& out, std::size_t size, std::string_view line_prefix = {}) {
        std::size_t line_length = 0;
        while (out.size() < size) {
            if (line_length == 0) {
                out += line_prefix;
                line_length = line_prefix.size();
            }
            const auto word = random_.pick(kWords);
            if (line_length > line_prefix.size()) {
                out += ' ';
                ++line_length;
            }
            out += word;
            line_length += word.size();
            if (line_length > 64 + random_.below(16)) {
                out += random_.chance(1, 6) ? ".\n\n" : "\n";
                line_length = 0;
            }
        }
        out.resize(size);
    }

    std::string phrase(int count) {
        std::string out;
        for (int i = 0; i < count; ++i) {
            if (i) out += ' ';
            out += random_.pick(kWords);
        }
        return out;
    }

private:
    Random& random_;
};

void put_u16(std::string& out, std::size_t at, uint16_t v) {
    out[at] = static_cast<char>(v & 0xff);
    out[at + 1] = static_cast<char>(v >> 8);
}
void put_u32(std::string& out, std::size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) out[at + k] = static_cast<char>((v >> (8 * k)) & 0xff);
}
void put_u64(std::string& out, std::size_t at, uint64_t v) {
    for (int k = 0; k < 8; ++k) out[at + k] = static_cast<char>((v >> (8 * k)) & 0xff);
}
void put_u32_be(std::string& out, uint32_t v) {
    for (int k = 3; k >= 0; --k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

void append_random(std::string& out, Random& random, std::size_t count) {
    const std::size_t at = out.size();
    out.resize(at + count);
    random.fill(std::as_writable_bytes(std::span(out.data() + at, count)));
}

// Machine code is neither random nor uniform: alternate incompressible runs
// with repeats of a small palette, so binaries compress about like real ones.
void append_binary_body(std::string& out, Random& random, std::size_t size) {
    std::array<std::string, 8> palette;
    for (auto& block : palette) append_random(block, random, 64);
    while (out.size() < size) {
        const std::size_t room = size - out.size();
        if (random.chance(1, 3)) {
            append_random(out, random, std::min<std::size_t>(room, 64 * (1 + random.below(8))));
        } else {
            const auto& block = random.pick(palette);
            out.append(block, 0, std::min(room, block.size()));
        }
    }
}

std::string make_elf(Random& random, uint16_t e_type, std::size_t size) {
    std::string out(64, '\0');
    const char ident[] = {0x7f, 'E', 'L', 'F', 2 /*64-bit*/, 1 /*little-endian*/, 1 /*version*/, 0 /*SysV*/};
    std::memcpy(out.data(), ident, sizeof ident);
    put_u16(out, 16, e_type);
    put_u16(out, 18, 0x3e);  // x86-64
    put_u32(out, 20, 1);
    put_u64(out, 24, e_type == 2 ? 0x401000 : 0);
    // e_phoff = 0 and e_phnum = 0: no program headers, hence no PT_INTERP, so a
    // shared object stays a shared object under the PIE rule.
    put_u64(out, 40, size > 4096 ? size - 1024 : 0);  // e_shoff (not validated by anyone)
    put_u16(out, 52, 64);  // e_ehsize
    put_u16(out, 54, 56);  // e_phentsize
    put_u16(out, 58, 64);  // e_shentsize
    append_binary_body(out, random, std::max<std::size_t>(size, 64));
    return out;
}

std::string make_script(Random& random, TextComposer& text, ContentKind kind, std::size_t size) {
    static constexpr std::string_view shell[] = {"#!/bin/sh\n", "#!/bin/bash\n", "#!/usr/bin/env bash\n",
                                                 "#!/bin/sh -e\n"};
    static constexpr std::string_view python[] = {"#!/usr/bin/env python3\n", "#!/usr/bin/python3\n",
                                                  "#!/usr/local/bin/python3.11\n"};
    static constexpr std::string_view perl[] = {"#!/usr/bin/perl\n", "#!/usr/bin/perl -w\n",
                                                "#!/usr/bin/env perl\n"};
    static constexpr std::string_view ruby[] = {"#!/usr/bin/env ruby\n", "#!/usr/bin/ruby\n"};
    static constexpr std::string_view node[] = {"#!/usr/bin/env node\n", "#!/usr/local/bin/node\n"};
    std::string out;
    std::string_view comment = "# ";
    switch (kind) {
        case ContentKind::script_shell: out = random.pick(shell); break;
        case ContentKind::script_python: out = random.pick(python); break;
        case ContentKind::script_perl: out = random.pick(perl); break;
        case ContentKind::script_ruby: out = random.pick(ruby); break;
        default: out = random.pick(node); comment = "// "; break;
    }
    out += comment;
    out += text.phrase(6);
    out += '\n';
    text.words(out, std::max(size, out.size()), comment);
    return out;
}

std::string make_zip(Random& random, TextComposer& text, std::size_t size) {
    std::string out = "PK\x03\x04";
    out += std::string("\x14\x00\x00\x00\x00\x00", 6);  // version 2.0, no flags, stored
    append_random(out, random, 16);                    // time, date, crc, sizes: not checked
    const std::string name = text.phrase(2) + ".class";
    out += static_cast<char>(name.size());
    out += std::string("\x00\x00\x00", 3);
    out += name;
    append_binary_body(out, random, std::max(size, out.size()));
    return out;
}

std::string make_png(Random& random, std::size_t size) {
    std::string out = "\x89PNG\r\n\x1a\n";
    put_u32_be(out, 13);
    out += "IHDR";
    put_u32_be(out, static_cast<uint32_t>(16 + random.below(1024)));
    put_u32_be(out, static_cast<uint32_t>(16 + random.below(1024)));
    out += std::string("\x08\x06\x00\x00\x00", 5);
    append_random(out, random, 4);  // CRC
    put_u32_be(out, static_cast<uint32_t>(size > 45 ? size - 45 : 0));
    out += "IDAT";
    append_random(out, random, size > out.size() ? size - out.size() : 0);
    return out;
}

std::string make_jpeg(Random& random, std::size_t size) {
    std::string out("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00", 20);
    append_random(out, random, size > out.size() ? size - out.size() : 0);
    return out;
}

std::string make_svg(Random& random, std::size_t size) {
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(16 + random.below(256)) +
                      "\" height=\"" + std::to_string(16 + random.below(256)) + "\">\n";
    while (out.size() + 8 < size) {
        out += "  <path d=\"M" + std::to_string(random.below(512)) + " " + std::to_string(random.below(512));
        for (int i = 0; i < 6; ++i) out += " L" + std::to_string(random.below(512)) + " " + std::to_string(random.below(512));
        out += "\"/>\n";
    }
    out += "</svg>\n";
    return out;
}

std::string make_html_xml(Random& random, TextComposer& text, std::size_t size) {
    std::string out;
    if (random.chance(1, 2)) {
        out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><title>" + text.phrase(3) + "</title></head>\n<body>\n";
        while (out.size() + 16 < size) out += "<p>" + text.phrase(8 + static_cast<int>(random.below(24))) + "</p>\n";
        out += "</body>\n</html>\n";
    } else {
        out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<configuration>\n";
        while (out.size() + 18 < size)
            out += "  <entry key=\"" + text.phrase(1) + "\">" + text.phrase(1 + static_cast<int>(random.below(6))) +
                   "</entry>\n";
        out += "</configuration>\n";
    }
    return out;
}

std::string make_json(Random& random, TextComposer& text, std::size_t size) {
    std::string out;
    const bool array = random.chance(1, 4);
    out = array ? "[\n" : "{\n  \"name\": \"" + text.phrase(1) + "\",\n  \"version\": \"" +
                              std::to_string(random.below(10)) + "." + std::to_string(random.below(30)) + "." +
                              std::to_string(random.below(100)) + "\",\n  \"items\": [\n";
    bool first = true;
    while (out.size() + 40 < size) {
        if (!first) out += ",\n";
        first = false;
        out += "    {\"key\": \"" + text.phrase(1) + "\", \"value\": " + std::to_string(random.below(100000)) +
               ", \"note\": \"" + text.phrase(1 + static_cast<int>(random.below(8))) + "\"}";
    }
    out += array ? "\n]\n" : "\n  ]\n}\n";
    return out;
}

std::string make_markdown(Random& random, TextComposer& text, std::size_t size) {
    std::string out = "# " + text.phrase(3) + "\n\n";
    while (out.size() < size) {
        const auto pick = random.below(4);
        if (pick == 0) out += "## " + text.phrase(2) + "\n\n";
        else if (pick == 1) out += "- " + text.phrase(6) + "\n- " + text.phrase(5) + "\n\n";
        else out += text.phrase(12 + static_cast<int>(random.below(30))) + ".\n\n";
    }
    return out;
}

std::string make_text(Random& random, TextComposer& text, std::size_t size) {
    // Starts with a capitalised word: never '#', '{', '[' or '<'.
    std::string out = random.chance(1, 2) ? "Copyright " : "This ";
    text.words(out, std::max(size, out.size()));
    return out;
}

std::string make_python_bytecode(Random& random, std::size_t size) {
    // CPython 3.8 (3413), 3.9 (3425) and 3.11 (3495) magics, little-endian, then \r\n.
    static constexpr uint16_t magics[] = {3413, 3425, 3495};
    std::string out(16, '\0');
    put_u16(out, 0, random.pick(magics));
    out[2] = '\r';
    out[3] = '\n';
    put_u32(out, 8, static_cast<uint32_t>(1500000000 + random.below(200000000)));
    put_u32(out, 12, static_cast<uint32_t>(size));
    out += '\xe3';
    append_binary_body(out, random, std::max<std::size_t>(size, out.size()));
    return out;
}

std::string make_data(Random& random, std::size_t size) {
    // A fixed prefix that starts with NUL (never text) and matches no
    // signature, long enough to cover every offset a rule looks at (<= 16).
    std::string out("\x00\xde\xad\xbe\xef\x53\x59\x4e\x54\x48\x01\x02\xfe\xfe\xfe\xfe", 16);
    append_random(out, random, size > out.size() ? size - out.size() : 0);
    return out;
}

}  // namespace

std::string_view content_type_name(ContentKind kind) {
    switch (kind) {
        case ContentKind::empty: return "empty";
        case ContentKind::elf_executable: return "elf/executable";
        case ContentKind::elf_shared_object: return "elf/shared-object";
        case ContentKind::elf_relocatable: return "elf/relocatable";
        case ContentKind::script_shell: return "code/shell";
        case ContentKind::script_python: return "code/python";
        case ContentKind::script_perl: return "code/perl";
        case ContentKind::script_ruby: return "code/ruby";
        case ContentKind::script_node: return "code/javascript";
        case ContentKind::archive_gzip: return "archive/gzip";
        case ContentKind::archive_zip: return "archive/zip";
        case ContentKind::image_png: return "image/png";
        case ContentKind::image_jpeg: return "image/jpeg";
        case ContentKind::image_svg: return "image/svg";
        case ContentKind::document_text: return "document/text";
        case ContentKind::document_html_xml: return "document/html-xml";
        case ContentKind::document_json: return "document/json";
        // libmagic has no markdown rule: a text whose first line starts "# " is
        // text to it, and so to us (docs/file-types.md).
        case ContentKind::document_markdown: return "document/text";
        case ContentKind::bytecode_python: return "bytecode/python";
        case ContentKind::data: return "data";
    }
    return "data";
}

std::span<const std::string_view> all_file_type_names() {
    // The names are the layer library's (one list); the generator still knows
    // each content's category by construction and never classifies bytes.
    static const auto names = [] {
        std::array<std::string_view, kFileTypeCount> list{};
        for (std::size_t t = 0; t < kFileTypeCount; ++t) list[t] = file_type_name(static_cast<FileType>(t));
        return list;
    }();
    return names;
}

std::string generate_content(const ContentSpec& spec) {
    Random random(spec.seed);
    TextComposer text(random);
    const auto size = static_cast<std::size_t>(spec.size < 0 ? 0 : spec.size);
    switch (spec.kind) {
        case ContentKind::empty: return {};
        case ContentKind::elf_executable: return make_elf(random, 2, size);
        case ContentKind::elf_shared_object: return make_elf(random, 3, size);
        case ContentKind::elf_relocatable: return make_elf(random, 1, size);
        case ContentKind::script_shell:
        case ContentKind::script_python:
        case ContentKind::script_perl:
        case ContentKind::script_ruby:
        case ContentKind::script_node: return make_script(random, text, spec.kind, size);
        case ContentKind::archive_gzip: {
            std::string plain = make_text(random, text, size);
            return gzip_bytes(plain, 9);
        }
        case ContentKind::archive_zip: return make_zip(random, text, size);
        case ContentKind::image_png: return make_png(random, size);
        case ContentKind::image_jpeg: return make_jpeg(random, size);
        case ContentKind::image_svg: return make_svg(random, size);
        case ContentKind::document_text: return make_text(random, text, size);
        case ContentKind::document_html_xml: return make_html_xml(random, text, size);
        case ContentKind::document_json: return make_json(random, text, size);
        case ContentKind::document_markdown: return make_markdown(random, text, size);
        case ContentKind::bytecode_python: return make_python_bytecode(random, size);
        case ContentKind::data: return make_data(random, size);
    }
    return {};
}

}  // namespace regcensus::synth
