#pragma once
// The regular-file contents of the corpus. Each content is generated from a
// small spec (kind, seed, target size), so the same spec anywhere in the
// corpus gives the same bytes: that is how copies across files and layers are
// made without keeping contents in memory. Every kind is built to fall
// unambiguously into one category of docs/file-types.md; the generator knows
// the category of each content by construction and never classifies bytes.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace regcensus::synth {

enum class ContentKind : uint8_t {
    empty,
    elf_executable, elf_shared_object, elf_relocatable,
    script_shell, script_python, script_perl, script_ruby, script_node,
    archive_gzip, archive_zip,
    image_png, image_jpeg, image_svg,
    document_text, document_html_xml, document_json, document_markdown,
    bytecode_python,
    data,
};

// The docs/file-types.md category name of a content kind ("elf/executable", ...).
std::string_view content_type_name(ContentKind kind);

// Every category name of docs/file-types.md, in the order of enum FileType
// (the row order of /filetypes), including those the corpus never produces.
std::span<const std::string_view> all_file_type_names();

struct ContentSpec {
    ContentKind kind = ContentKind::empty;
    uint64_t seed = 0;
    // Target size in bytes. Kinds with a fixed header grow to hold it; gzip
    // is the compression of a text of this size, so its own size differs.
    int64_t size = 0;
};

// The bytes of a content (a std::string used as a byte buffer).
std::string generate_content(const ContentSpec& spec);

}  // namespace regcensus::synth
