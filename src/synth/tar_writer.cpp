#include "regcensus/synth/tar_writer.hpp"

#include <array>
#include <cstring>
#include <stdexcept>

namespace regcensus::synth {

namespace {

// Writes `value` as zero-padded octal digits filling width - 1 bytes, then NUL.
void put_octal(char* field, std::size_t width, uint64_t value) {
    for (std::size_t i = width - 1; i-- > 0;) {
        field[i] = static_cast<char>('0' + (value & 7));
        value >>= 3;
    }
    if (value != 0) throw std::length_error("tar: numeric field overflow");
    field[width - 1] = '\0';
}

void put_text(char* field, std::size_t width, std::string_view text) {
    if (text.size() > width) throw std::length_error("tar: field too long");
    std::memcpy(field, text.data(), text.size());
}

// One PAX record "<len> key=value\n", where len counts the whole record, itself included.
std::string pax_record(std::string_view key, std::string_view value) {
    const std::size_t body = 1 + key.size() + 1 + value.size() + 1;  // ' ' key '=' value '\n'
    std::size_t length = body + 1;
    while (std::to_string(length).size() + body != length) length = std::to_string(length).size() + body;
    return std::to_string(length) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

}  // namespace

bool split_ustar_path(std::string_view path, std::string_view& prefix, std::string_view& name) {
    if (path.size() <= 100) {
        prefix = {};
        name = path;
        return true;
    }
    // The rightmost '/' that leaves a prefix of at most 155 and a non-empty name of at most 100.
    for (std::size_t slash = std::min<std::size_t>(path.size() - 1, 155);; --slash) {
        if (path[slash] == '/' && path.size() - slash - 1 <= 100 && slash + 1 < path.size()) {
            prefix = path.substr(0, slash);
            name = path.substr(slash + 1);
            return true;
        }
        if (slash == 0) return false;
    }
}

void TarWriter::emit(std::string_view bytes) {
    out_.write(bytes);
    written_ += static_cast<int64_t>(bytes.size());
}

void TarWriter::pad_to_block(std::size_t data_size) {
    static const std::array<char, kBlock> zeros{};
    const std::size_t tail = data_size % kBlock;
    if (tail) emit(std::string_view(zeros.data(), kBlock - tail));
}

void TarWriter::emit_header_block(const TarHeader& header, std::string_view name, std::string_view prefix,
                                  std::string_view linkname) {
    std::array<char, kBlock> block{};
    char* b = block.data();
    put_text(b + 0, 100, name);
    put_octal(b + 100, 8, header.mode);
    put_octal(b + 108, 8, 0);  // uid
    put_octal(b + 116, 8, 0);  // gid
    put_octal(b + 124, 12, static_cast<uint64_t>(header.size));
    put_octal(b + 136, 12, static_cast<uint64_t>(header.mtime));
    b[156] = header.typeflag;
    put_text(b + 157, 100, linkname);
    std::memcpy(b + 257, "ustar\0" "00", 8);  // POSIX magic and version
    put_text(b + 265, 32, "root");
    put_text(b + 297, 32, "root");
    put_octal(b + 329, 8, header.dev_major);
    put_octal(b + 337, 8, header.dev_minor);
    put_text(b + 345, 155, prefix);
    // The checksum is the byte sum of the header with its own field read as spaces.
    std::memset(b + 148, ' ', 8);
    unsigned sum = 0;
    for (char c : block) sum += static_cast<unsigned char>(c);
    put_octal(b + 148, 7, sum);  // six digits and NUL; the eighth byte stays a space
    emit(std::string_view(b, kBlock));
}

void TarWriter::add(TarHeader header, std::string_view data) {
    header.size = static_cast<int64_t>(data.size());
    std::string_view prefix, name;
    const bool name_fits = split_ustar_path(header.name, prefix, name);
    const bool link_fits = header.linkname.size() <= 100;
    if (!name_fits || !link_fits) {
        std::string records;
        if (!name_fits) records += pax_record("path", header.name);
        if (!link_fits) records += pax_record("linkpath", header.linkname);
        TarHeader pax;
        pax.name = "PaxHeaders/" + std::to_string(pax_count_++);
        pax.typeflag = 'x';
        pax.size = static_cast<int64_t>(records.size());
        pax.mtime = header.mtime;
        emit_header_block(pax, pax.name, {}, {});
        emit(records);
        pad_to_block(records.size());
        if (!name_fits) {
            // The ustar fields carry a truncated stand-in that readers ignore.
            prefix = {};
            name = std::string_view(header.name).substr(header.name.size() - 100);
        }
    }
    const std::string_view linkname =
        link_fits ? std::string_view(header.linkname) : std::string_view(header.linkname).substr(0, 100);
    emit_header_block(header, name, prefix, linkname);
    if (!data.empty()) {
        emit(data);
        pad_to_block(data.size());
    }
}

void TarWriter::finish() {
    static const std::array<char, kBlock> zeros{};
    emit(std::string_view(zeros.data(), kBlock));
    emit(std::string_view(zeros.data(), kBlock));
    while (written_ % static_cast<int64_t>(kRecord) != 0) emit(std::string_view(zeros.data(), kBlock));
}

}  // namespace regcensus::synth
