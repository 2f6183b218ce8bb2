#pragma once
// A ustar writer: 512-byte headers with correct checksums, the ustar
// prefix/name split for long paths and a PAX extended header when a path or
// link target does not fit even so. finish() writes the two zero blocks and
// pads to a 10240-byte record like GNU tar, so the stream length is exactly
// bytes_written().
#include <cstdint>
#include <string>
#include <string_view>

#include "regcensus/synth/byte_sink.hpp"

namespace regcensus::synth {

struct TarHeader {
    std::string name;      // as it goes into the archive ("./usr/bin/", "etc/passwd")
    char typeflag = '0';   // '0', '\0', '7' regular; '1' hard link; '2' symlink; '3' '4' devices; '5' dir; '6' FIFO
    uint32_t mode = 0644;
    int64_t size = 0;      // bytes of data following (regular files only)
    int64_t mtime = 0;
    std::string linkname;  // hard-link and symlink targets
    uint32_t dev_major = 0;
    uint32_t dev_minor = 0;
};

class TarWriter {
public:
    static constexpr std::size_t kBlock = 512;
    static constexpr std::size_t kRecord = 10240;

    explicit TarWriter(ByteSink& out) : out_(out) {}

    // Writes the header (and a PAX header before it when needed) and `data`,
    // padded to a block. `header.size` is set from data.size().
    void add(TarHeader header, std::string_view data = {});
    // End-of-archive blocks and record padding; does not finish the sink.
    void finish();

    int64_t bytes_written() const { return written_; }

private:
    void emit(std::string_view bytes);
    void emit_header_block(const TarHeader& header, std::string_view name, std::string_view prefix,
                           std::string_view linkname);
    void pad_to_block(std::size_t data_size);

    ByteSink& out_;
    int64_t written_ = 0;
    int64_t pax_count_ = 0;
};

// Splits `path` into a ustar (prefix, name) pair; false when it cannot be split.
bool split_ustar_path(std::string_view path, std::string_view& prefix, std::string_view& name);

}  // namespace regcensus::synth
