#pragma once
// File-type categories in two levels, family and kind ("code/python"), named
// as libmagic's descriptions map to them (docs/file-types.md). They are decided
// from a file's first bytes by content rules measured against libmagic, not
// by libmagic itself (too slow for every file). The names are the `type`
// column of /filetypes and /dedup/top; their order is the row order of /filetypes.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace regcensus {

enum class FileType : uint8_t {
    empty,
    elf_executable, elf_shared_object, elf_relocatable, elf_core, elf_other,
    code_shell, code_python, code_perl, code_ruby, code_javascript, code_typescript, code_php, code_c,
    code_go, code_java, code_rust, code_lua, code_tcl, code_awk, code_make, code_m4, code_other,
    archive_gzip, archive_zip, archive_xz, archive_bzip2, archive_zstd, archive_tar, archive_deb, archive_rpm,
    archive_other,
    image_png, image_jpeg, image_gif, image_svg, image_ico, image_other,
    document_text, document_html_xml, document_json, document_pdf, document_markdown, document_pgp,
    document_other,
    bytecode_python, bytecode_java, bytecode_other,
    database_sqlite, database_berkeley, database_other,
    font,
    data,
};

inline constexpr std::size_t kFileTypeCount = static_cast<std::size_t>(FileType::data) + 1;

// "elf/executable", "code/python", "document/text", "empty", "data", ...
std::string_view file_type_name(FileType type);

// The family of a category: the part of its name before '/' ("code" for
// "code/python"); "empty", "font" and "data" are families of one kind.
std::string_view file_type_family(FileType type);

// Every family name, in the order of the families' first categories.
inline constexpr std::string_view kFileTypeFamilies[] = {
    "empty", "elf", "code", "archive", "image", "document", "bytecode", "database", "font", "data"};

// The inverse of file_type_name; nullopt for a name that is no category.
std::optional<FileType> file_type_from_name(std::string_view name);

// How many leading bytes classify_file_type wants to see (fewer is fine for short files).
// 8 KiB is where libmagic's text rules look (search/8192); fewer bytes miss
// the `package`, `import` and `#include` lines that decide a source file.
inline constexpr std::size_t kFileTypeProbeBytes = 8192;

// `head` is the first min(size, kFileTypeProbeBytes) bytes of a file of `size` bytes.
FileType classify_file_type(std::span<const std::byte> head, int64_t size);

}  // namespace regcensus
