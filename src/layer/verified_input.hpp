#pragma once
// The compressed side of a layer: the blob exactly as read from its source.
// Every byte pulled through here is counted and hashed (with the algorithm of
// the digest it is expected to have: sha256 or sha512), so the digest
// and size checks cover what the decompressor actually saw. It also sniffs the
// compression from the first bytes (never from the media type).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/util/byte_source.hpp"
#include "regcensus/util/data_error.hpp"
#include "background_reader.hpp"
#include "regcensus/util/digest_hasher.hpp"

namespace regcensus::layer {

enum class Compression { none, gzip, zstd };
std::string_view compression_name(Compression compression);

class VerifiedInput {
public:
    // Hashes with the algorithm of `expected_digest`; sha256 when it is empty or
    // not a valid digest (which then cannot match).
    // With `read_in_background` the blob is read and hashed on a second
    // thread (BackgroundReader), ahead of the decompression.
    explicit VerifiedInput(ByteSource& source, std::string_view expected_digest = {},
                           bool read_in_background = false);

    // Looks at the first bytes (reading ahead as needed) without consuming them.
    Compression sniff_compression();

    // The next chunk of the blob; empty at its end. A DataError from the
    // source is recorded (see source_error) and rethrown.
    std::span<const std::byte> next();

    // Reads and hashes the rest of the blob, stopping once more than
    // `max_total_bytes` have been read overall; returns whether the end was
    // reached. Transfer errors are recorded, not thrown.
    bool drain(int64_t max_total_bytes);

    bool at_end() const { return ended_; }
    int64_t bytes_read() const { return bytes_read_; }
    std::string finish_digest();
    // The source's own failure (network, io, ...), if any: then nothing about
    // the blob can be trusted, since it was never read in full.
    const std::optional<DataError>& source_error() const { return source_error_; }

private:
    std::span<const std::byte> pull();

    ByteSource& source_;
    DigestHasher hasher_;
    std::unique_ptr<BackgroundReader> background_;  // reads and hashes instead, when set
    int64_t bytes_read_ = 0;
    bool ended_ = false;
    std::optional<DataError> source_error_;
    // Bytes read ahead by sniff_compression, handed out before anything else.
    std::span<const std::byte> pending_;
    std::vector<std::byte> sniff_buffer_;
};

}  // namespace regcensus::layer
