// analyze_layer: wires the stages together and turns every data problem into
// the profile's status. Order of trust: a failed transfer first (the blob was
// never seen whole), then the digest, then the size, then what decoding found.
#include "regcensus/layer/layer_analyzer.hpp"

#include <algorithm>
#include <optional>

#include "archive_reader.hpp"
#include "background_decompressor.hpp"
#include "decompressor.hpp"
#include "layer_census.hpp"
#include "regcensus/util/data_error.hpp"
#include "tar_stream.hpp"
#include "verified_input.hpp"

namespace regcensus {
namespace {

// Bytes of a blob read after its decoder is done, for the digest only.
constexpr int64_t kTrailingBytesRead = int64_t{64} << 20;

using namespace regcensus::layer;

void read_tar(TarStream& stream, LayerCensus& census) {
    ArchiveReader reader(stream);
    TarEntry entry;
    while (reader.next_entry(entry)) census.add_entry(entry, reader);
}

// With a spare core the inflate runs on its own thread. An uncompressed tar
// has no decoding to overlap.
std::unique_ptr<Decompressor> open_decompressor(Compression compression, VerifiedInput& input, bool spare_core) {
    if (!spare_core || compression == Compression::none) return make_decompressor(compression, input);
    return std::make_unique<BackgroundDecompressor>(
        make_decompressor(compression, input, BackgroundDecompressor::kBuffers));
}

// On failure only compressed_bytes (and the compression, if known) survive.
void mark_failed(LayerAnalysis& analysis, const DataError& error) {
    LayerProfile& p = analysis.profile;
    p.status = error.status();
    p.error = error.what();
    p.uncompressed_bytes = p.file_count = p.file_bytes = p.dir_count = p.max_depth = -1;
    p.symlink_count = p.hardlink_count = p.other_count = p.whiteout_count = p.opaque_count = -1;
    p.setuid_count = p.setgid_count = p.world_writable_count = p.root_owned_file_count = -1;
    p.mtime_min = p.mtime_max = -1;
    p.file_size = {};
    p.directory_depth = {};
    p.directory_depth_counts = {};
    p.directory_direct_bytes = {};
    p.directory_recursive_bytes = {};
    p.type_files.fill(0);
    p.type_bytes.fill(0);
    analysis.files.clear();
    analysis.files.shrink_to_fit();
    analysis.entries.clear();
    analysis.entries.shrink_to_fit();
}

}  // namespace

LayerAnalysis analyze_layer(ByteSource& blob, const LayerExpectation& expect, const LayerLimits& limits) {
    LayerAnalysis analysis;
    LayerProfile& profile = analysis.profile;
    profile.digest = expect.digest;
    profile.media_type = expect.media_type;

    VerifiedInput input(blob, expect.digest, limits.use_spare_core);
    std::optional<DataError> failure;
    try {
        const Compression compression = input.sniff_compression();
        profile.compression = std::string(compression_name(compression));
        // Destroyed (its thread joined) before the input is touched again below.
        const auto decompressor = open_decompressor(compression, input, limits.use_spare_core);
        TarStream stream(*decompressor, limits);
        LayerCensus census(analysis, limits);
        if (input.bytes_read() > 0) read_tar(stream, census);  // an empty blob is an empty layer
        // Whatever follows the end blocks belongs to the stream too; reading it
        // also completes the gzip/zstd checks of the last member or frame.
        stream.drain();
        profile.uncompressed_bytes = stream.bytes();
        census.finish();
    } catch (const DataError& error) {
        failure = error;
    }

    // The digest covers the whole blob even when decoding stopped early. What
    // is left once the decoder is done is read only for the digest: a sound
    // blob has nothing left, so the drain is bounded to kTrailingBytesRead past
    // that point, and a blob that goes on (an endless stream, a size-less
    // schema 1 blob) fails without being read to --max-layer-bytes.
    const int64_t drain_limit = std::min(limits.max_layer_bytes, input.bytes_read() + kTrailingBytesRead);
    const bool read_whole_blob = input.drain(drain_limit);
    profile.compressed_bytes = input.bytes_read();
    if (input.source_error()) {
        failure = *input.source_error();
    } else if (!read_whole_blob) {
        const std::string why = "the blob goes on past " + std::to_string(input.bytes_read()) + " bytes, over " +
                                std::to_string(kTrailingBytesRead >> 20) +
                                " MiB beyond where its data ended; not read further (digest not checked)";
        failure = failure ? DataError(failure->status(), std::string(failure->what()) + "; " + why)
                          : DataError("too_large", why);
    } else {
        const std::string digest = input.finish_digest();
        if (expect.digest.empty()) profile.digest = digest;
        if (!expect.digest.empty() && digest != expect.digest) {
            failure = DataError("digest_mismatch", "blob digest is " + digest + ", expected " + expect.digest);
        } else if (expect.size >= 0 && input.bytes_read() != expect.size) {
            failure = DataError("size_mismatch", "blob has " + std::to_string(input.bytes_read()) +
                                                     " bytes, the descriptor says " + std::to_string(expect.size));
        }
    }
    if (failure) mark_failed(analysis, *failure);
    return analysis;
}

}  // namespace regcensus
