#include "entry_table_codec.hpp"

#include <zstd.h>

#include <stdexcept>
#include <string>

#include "regcensus/util/binary_codec.hpp"

namespace regcensus {
namespace {

// zstd level 3: the library's default, fast enough to keep up with the analysis.
constexpr int kLevel = 3;
// A decoded table larger than this is not one regcensus wrote (a layer is at
// most --max-layer-bytes, and its entry table far less).
constexpr unsigned long long kMaxDecodedBytes = 1ULL << 36;

}  // namespace

std::vector<char> encode_entry_table(const std::vector<EntryRecord>& entries, const std::vector<FileRecord>& files) {
    ByteWriter out;
    out.put<uint64_t>(entries.size());
    for (const auto& e : entries) {
        const bool path_in_files = e.path.empty() && e.file_index >= 0 && static_cast<std::size_t>(e.file_index) < files.size();
        out.put_string(path_in_files ? files[static_cast<std::size_t>(e.file_index)].path : e.path);
        out.put<uint8_t>(static_cast<uint8_t>(e.kind));
        out.put(e.size);
        out.put(e.mode);
        out.put(e.uid);
        out.put(e.gid);
        out.put(e.mtime);
        out.put(e.hash_high);
        out.put(e.hash_low);
        out.put<uint8_t>(static_cast<uint8_t>(e.type));
        out.put_string(e.link_target);
    }
    const auto& raw = out.bytes();
    std::vector<char> compressed(ZSTD_compressBound(raw.size()));
    const std::size_t size = ZSTD_compress(compressed.data(), compressed.size(), raw.data(), raw.size(), kLevel);
    if (ZSTD_isError(size)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(size));
    compressed.resize(size);
    return compressed;
}

std::vector<EntryRecord> decode_entry_table(std::span<const char> blob) {
    const unsigned long long decoded = ZSTD_getFrameContentSize(blob.data(), blob.size());
    if (decoded == ZSTD_CONTENTSIZE_ERROR || decoded == ZSTD_CONTENTSIZE_UNKNOWN || decoded > kMaxDecodedBytes)
        throw std::runtime_error("entry table: not a zstd frame of known size");
    std::vector<char> raw(decoded);
    const std::size_t size = ZSTD_decompress(raw.data(), raw.size(), blob.data(), blob.size());
    if (ZSTD_isError(size) || size != decoded)
        throw std::runtime_error("entry table: corrupt zstd frame");
    ByteReader in(raw);
    const auto count = in.get<uint64_t>();
    if (count > raw.size()) throw std::runtime_error("entry table: bad entry count");
    std::vector<EntryRecord> entries(count);
    for (auto& e : entries) {
        e.path = in.get_string();
        const auto kind = in.get<uint8_t>();
        if (kind >= kEntryKindNames.size()) throw std::runtime_error("entry table: bad entry kind");
        e.kind = static_cast<EntryKindCode>(kind);
        e.size = in.get<int64_t>();
        e.mode = in.get<uint32_t>();
        e.uid = in.get<int64_t>();
        e.gid = in.get<int64_t>();
        e.mtime = in.get<int64_t>();
        e.hash_high = in.get<uint64_t>();
        e.hash_low = in.get<uint64_t>();
        const auto type = in.get<uint8_t>();
        if (type >= kFileTypeCount) throw std::runtime_error("entry table: bad file type");
        e.type = static_cast<FileType>(type);
        e.link_target = in.get_string();
    }
    if (!in.done()) throw std::runtime_error("entry table: trailing bytes");
    return entries;
}

}  // namespace regcensus
