#pragma once
// File-type categories, decided from a file's first bytes (a signature table,
// not libmagic). The names are the `type` column of /filetypes and /dedup/top;
// their order is the row order of /filetypes.
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
    script_shell, script_python, script_perl, script_ruby, script_node, script_php, script_other,
    archive_gzip, archive_zip, archive_xz, archive_bzip2, archive_zstd, archive_tar,
    image_png, image_jpeg, image_gif, image_svg, image_ico,
    document_text, document_html_xml, document_json, document_pdf, document_markdown,
    bytecode_python, bytecode_java,
    database_sqlite, database_berkeley,
    font,
    data,
};

inline constexpr std::size_t kFileTypeCount = static_cast<std::size_t>(FileType::data) + 1;

// "elf/executable", "script/python", "document/text", "empty", "data", ...
std::string_view file_type_name(FileType type);

// The inverse of file_type_name; nullopt for a name that is no category.
std::optional<FileType> file_type_from_name(std::string_view name);

// How many leading bytes classify_file_type wants to see (fewer is fine for short files).
inline constexpr std::size_t kFileTypeProbeBytes = 512;

// `head` is the first min(size, kFileTypeProbeBytes) bytes of a file of `size` bytes.
FileType classify_file_type(std::span<const std::byte> head, int64_t size);

}  // namespace regcensus
