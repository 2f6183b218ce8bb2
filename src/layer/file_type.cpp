// The signature table of docs/file-types.md. Rules are tried in the document's
// order; every check is bounds-safe against a probe shorter than the rule needs.
#include "regcensus/layer/file_type.hpp"

#include "text_type.hpp"

#include <algorithm>
#include <cstring>

namespace regcensus {
namespace {

constexpr std::string_view kFileTypeNames[kFileTypeCount] = {
    "empty",
    "elf/executable", "elf/shared-object", "elf/relocatable", "elf/core", "elf/other",
    "code/shell", "code/python", "code/perl", "code/ruby", "code/javascript", "code/typescript", "code/php",
    "code/c", "code/go", "code/java", "code/rust", "code/lua", "code/tcl", "code/awk", "code/make", "code/m4",
    "code/other",
    "archive/gzip", "archive/zip", "archive/xz", "archive/bzip2", "archive/zstd", "archive/tar", "archive/deb",
    "archive/rpm", "archive/other",
    "image/png", "image/jpeg", "image/gif", "image/svg", "image/ico", "image/other",
    "document/text", "document/html-xml", "document/json", "document/pdf", "document/markdown", "document/pgp",
    "document/other",
    "bytecode/python", "bytecode/java", "bytecode/other",
    "database/sqlite", "database/berkeley", "database/other",
    "font",
    "data",
};

// The probe seen as unsigned bytes, with the small readers the rules need.
class Probe {
public:
    explicit Probe(std::span<const std::byte> head)
        : data_(reinterpret_cast<const unsigned char*>(head.data())), size_(head.size()) {}

    std::size_t size() const { return size_; }
    unsigned char at(std::size_t i) const { return data_[i]; }
    std::string_view text() const { return {reinterpret_cast<const char*>(data_), size_}; }

    bool has_at(std::size_t offset, std::string_view magic) const {
        return offset <= size_ && size_ - offset >= magic.size() &&
               std::memcmp(data_ + offset, magic.data(), magic.size()) == 0;
    }
    bool starts_with(std::string_view magic) const { return has_at(0, magic); }

    bool fits(std::size_t offset, std::size_t length) const {
        return offset <= size_ && size_ - offset >= length;
    }
    uint64_t read_uint(std::size_t offset, std::size_t length, bool big_endian) const {
        uint64_t value = 0;
        for (std::size_t i = 0; i < length; ++i) {
            const std::size_t index = big_endian ? offset + i : offset + length - 1 - i;
            value = (value << 8) | data_[index];
        }
        return value;
    }

private:
    const unsigned char* data_;
    std::size_t size_;
};

using namespace std::string_view_literals;

// ---- ELF -------------------------------------------------------------------

constexpr uint32_t kPtInterp = 3;

// A PIE is an ET_DYN object that asks for a program interpreter.
bool has_interpreter_header(const Probe& p, bool big_endian) {
    const bool is64 = p.at(4) == 2;
    const std::size_t phoff_at = is64 ? 32 : 28, phoff_len = is64 ? 8 : 4;
    const std::size_t phentsize_at = is64 ? 54 : 42, phnum_at = is64 ? 56 : 44;
    if (!p.fits(phnum_at, 2)) return false;
    const uint64_t phoff = p.read_uint(phoff_at, phoff_len, big_endian);
    const uint64_t phentsize = p.read_uint(phentsize_at, 2, big_endian);
    const uint64_t phnum = p.read_uint(phnum_at, 2, big_endian);
    if (phentsize < 4 || phoff >= p.size()) return false;
    for (uint64_t i = 0; i < phnum; ++i) {
        const uint64_t entry = phoff + i * phentsize;
        if (!p.fits(entry, 4)) break;  // the remaining headers lie beyond the probe
        if (p.read_uint(entry, 4, big_endian) == kPtInterp) return true;
    }
    return false;
}

FileType classify_elf(const Probe& p) {
    if (!p.fits(16, 2)) return FileType::elf_other;
    const unsigned char byte_order = p.at(5);
    if (byte_order != 1 && byte_order != 2) return FileType::elf_other;
    const bool big_endian = byte_order == 2;
    switch (p.read_uint(16, 2, big_endian)) {
        case 1: return FileType::elf_relocatable;
        case 2: return FileType::elf_executable;
        case 3:
            return has_interpreter_header(p, big_endian) ? FileType::elf_executable
                                                         : FileType::elf_shared_object;
        case 4: return FileType::elf_core;
        default: return FileType::elf_other;
    }
}

// ---- scripts ---------------------------------------------------------------

bool is_line_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The words of the `#!` line, one at a time.
class ShebangWords {
public:
    explicit ShebangWords(std::string_view line) : rest_(line) {}
    std::string_view next() {
        std::size_t start = 0;
        while (start < rest_.size() && is_line_blank(rest_[start])) ++start;
        std::size_t end = start;
        while (end < rest_.size() && !is_line_blank(rest_[end])) ++end;
        const std::string_view word = rest_.substr(start, end - start);
        rest_.remove_prefix(end);
        return word;
    }

private:
    std::string_view rest_;
};

std::string_view basename_of(std::string_view word) {
    const auto slash = word.rfind('/');
    return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

FileType classify_interpreter(std::string_view name) {
    for (auto shell : {"sh"sv, "bash"sv, "dash"sv, "ash"sv, "zsh"sv, "ksh"sv, "mksh"sv, "busybox"sv, "csh"sv,
                       "tcsh"sv})
        if (name == shell) return FileType::code_shell;
    if (name.starts_with("python")) return FileType::code_python;
    if (name.starts_with("perl")) return FileType::code_perl;
    if (name.starts_with("ruby")) return FileType::code_ruby;
    if (name == "node" || name == "nodejs") return FileType::code_javascript;
    if (name == "ts-node" || name == "deno") return FileType::code_typescript;
    if (name.starts_with("php")) return FileType::code_php;
    for (auto awk : {"awk"sv, "gawk"sv, "mawk"sv, "nawk"sv})
        if (name == awk) return FileType::code_awk;
    if (name.starts_with("tclsh") || name.starts_with("wish") || name == "expect") return FileType::code_tcl;
    if (name.starts_with("lua")) return FileType::code_lua;
    if (name == "make" || name == "gmake") return FileType::code_make;
    return FileType::code_other;
}

FileType classify_shebang(const Probe& p) {
    std::string_view line = p.text().substr(2);
    line = line.substr(0, line.find('\n'));
    ShebangWords words(line);
    std::string_view interpreter = basename_of(words.next());
    if (interpreter == "env") {
        std::string_view word = words.next();
        while (word.starts_with('-')) word = words.next();  // env options such as -S
        if (!word.empty()) interpreter = basename_of(word);
    }
    return classify_interpreter(interpreter);
}

// ---- text ------------------------------------------------------------------

bool is_forbidden_control(unsigned char c) {
    if (c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x1b) return false;
    return c < 0x20 || c == 0x7f;
}

// Length of the UTF-8 sequence led by `lead` and the range of its second byte
// (which excludes overlong forms, surrogates and code points above U+10FFFF);
// 0 for a byte that cannot lead a sequence.
std::size_t utf8_sequence_length(unsigned char lead, unsigned char& low, unsigned char& high) {
    low = 0x80, high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) return 2;
    if (lead >= 0xe0 && lead <= 0xef) {
        if (lead == 0xe0) low = 0xa0;
        if (lead == 0xed) high = 0x9f;
        return 3;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        if (lead == 0xf0) low = 0x90;
        if (lead == 0xf4) high = 0x8f;
        return 4;
    }
    return 0;
}

// `cut` says the probe ends before the file does, so a sequence broken by the
// probe's end is not held against the file.
bool is_text(const Probe& p, bool cut) {
    std::size_t i = 0;
    while (i < p.size()) {
        const unsigned char c = p.at(i);
        if (c < 0x80) {
            if (c == 0 || is_forbidden_control(c)) return false;
            ++i;
            continue;
        }
        unsigned char low, high;
        const std::size_t length = utf8_sequence_length(c, low, high);
        if (length == 0) return false;
        for (std::size_t k = 1; k < length; ++k) {
            if (i + k >= p.size()) return cut;
            const unsigned char next = p.at(i + k);
            if (k == 1 ? (next < low || next > high) : (next < 0x80 || next > 0xbf)) return false;
        }
        i += length;
    }
    return true;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = text[i];
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
        char want = prefix[i];
        if (want >= 'A' && want <= 'Z') want = char(want - 'A' + 'a');
        if (c != want) return false;
    }
    return true;
}

// libmagic says JSON only for a document that parses; an INI section
// (`[Unit]`, `[defaults]`) starts like an array but never continues like one.
bool looks_like_json(std::string_view text) {
    if (!text.starts_with('{') && !text.starts_with('[')) return false;
    const auto next = text.find_first_not_of(" \t\r\n\f", 1);
    if (next == std::string_view::npos) return true;
    const std::string_view rest = text.substr(next);
    const char c = rest[0];
    if (text[0] == '{') return c == '"' || c == '}';
    return c == '"' || c == '{' || c == '[' || c == ']' || c == '-' || (c >= '0' && c <= '9') ||
           rest.starts_with("true") || rest.starts_with("false") || rest.starts_with("null");
}

FileType classify_text(const Probe& p) {
    const std::string_view whole = p.text();
    const auto first = whole.find_first_not_of(" \t\r\n\f");
    const std::string_view text = first == std::string_view::npos ? std::string_view{} : whole.substr(first);
    if (text.starts_with("<svg")) return FileType::image_svg;
    if (text.starts_with("<?xml") && whole.find("<svg") != std::string_view::npos) return FileType::image_svg;
    if (starts_with_ignoring_case(text, "<?xml") || starts_with_ignoring_case(text, "<!DOCTYPE html") ||
        starts_with_ignoring_case(text, "<html"))
        return FileType::document_html_xml;
    if (looks_like_json(text)) return FileType::document_json;
    if (text.starts_with("-----BEGIN PGP ")) return FileType::document_pgp;
    return layer::classify_text_content(whole);
}

// ---- binary signatures -----------------------------------------------------

bool is_python_bytecode(const Probe& p) {
    if (p.fits(0, 4) && p.at(2) == 0x0d && p.at(3) == 0x0a) {
        const uint64_t magic = p.read_uint(0, 2, false);
        if (magic >= 2900 && magic <= 3999) return true;
    }
    return p.starts_with("\x03\xf3\x0d\x0a"sv) || p.starts_with("\xd1\xf2\x0d\x0a"sv);
}

bool is_berkeley_db(const Probe& p) {
    for (auto magic : {"\x00\x06\x15\x61"sv, "\x61\x15\x06\x00"sv, "\x00\x05\x31\x62"sv,
                       "\x62\x31\x05\x00"sv, "\x00\x04\x09\x88"sv, "\x88\x09\x04\x00"sv})
        if (p.has_at(12, magic)) return true;
    return false;
}

bool is_font(const Probe& p) {
    for (auto magic : {"\x00\x01\x00\x00\x00"sv, "OTTO"sv, "wOFF"sv, "wOF2"sv, "ttcf"sv})
        if (p.starts_with(magic)) return true;
    return false;
}

}  // namespace

std::string_view file_type_name(FileType type) {
    const auto index = static_cast<std::size_t>(type);
    return index < kFileTypeCount ? kFileTypeNames[index] : std::string_view{"data"};
}

std::string_view file_type_family(FileType type) {
    const std::string_view name = file_type_name(type);
    return name.substr(0, name.find('/'));
}

std::optional<FileType> file_type_from_name(std::string_view name) {
    const auto* found = std::find(std::begin(kFileTypeNames), std::end(kFileTypeNames), name);
    if (found == std::end(kFileTypeNames)) return std::nullopt;
    return static_cast<FileType>(found - std::begin(kFileTypeNames));
}

FileType classify_file_type(std::span<const std::byte> head, int64_t size) {
    if (size == 0) return FileType::empty;
    if (head.size() > kFileTypeProbeBytes) head = head.first(kFileTypeProbeBytes);
    const Probe p(head);

    if (p.starts_with("\x7f" "ELF")) return classify_elf(p);
    if (p.starts_with("#!")) return classify_shebang(p);
    if (p.starts_with("<?php")) return FileType::code_php;
    if (p.starts_with("\x1f\x8b")) return FileType::archive_gzip;
    if (p.starts_with("PK\x03\x04") || p.starts_with("PK\x05\x06")) return FileType::archive_zip;
    if (p.starts_with("\xfd" "7zXZ\x00"sv)) return FileType::archive_xz;
    if (p.starts_with("BZh") && p.fits(3, 1) && p.at(3) >= '1' && p.at(3) <= '9') return FileType::archive_bzip2;
    if (p.starts_with("\x28\xb5\x2f\xfd")) return FileType::archive_zstd;
    if (p.has_at(257, "ustar")) return FileType::archive_tar;
    if (p.starts_with("!<arch>\ndebian-binary")) return FileType::archive_deb;
    if (p.starts_with("\xed\xab\xee\xdb")) return FileType::archive_rpm;
    if (p.starts_with("!<arch>\n") || p.starts_with("7z\xbc\xaf\x27\x1c")) return FileType::archive_other;
    if (p.starts_with("\x89PNG\r\n\x1a\n")) return FileType::image_png;
    if (p.starts_with("\xff\xd8\xff")) return FileType::image_jpeg;
    if (p.starts_with("GIF87a") || p.starts_with("GIF89a")) return FileType::image_gif;
    if (p.starts_with("\x00\x00\x01\x00"sv) && p.fits(4, 2) && p.read_uint(4, 2, false) != 0)
        return FileType::image_ico;
    if (p.starts_with("%PDF-")) return FileType::document_pdf;
    if (p.starts_with("\xca\xfe\xba\xbe")) return FileType::bytecode_java;
    if (is_python_bytecode(p)) return FileType::bytecode_python;
    if (p.starts_with("SQLite format 3\x00"sv)) return FileType::database_sqlite;
    if (is_berkeley_db(p)) return FileType::database_berkeley;
    if (is_font(p)) return FileType::font;
    if (is_text(p, static_cast<int64_t>(head.size()) < size)) return classify_text(p);
    return FileType::data;
}

}  // namespace regcensus
