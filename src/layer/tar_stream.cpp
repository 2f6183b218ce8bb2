#include "tar_stream.hpp"

#include <cstdio>
#include <string>

#include "regcensus/util/data_error.hpp"

namespace regcensus::layer {
namespace {

std::string format_ratio(double ratio) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", ratio);
    return text;
}

}  // namespace

std::span<const std::byte> TarStream::next() {
    if (ended_) return {};
    const auto chunk = decompressor_.next();
    if (chunk.empty()) {
        ended_ = true;
        return chunk;
    }
    bytes_ += static_cast<int64_t>(chunk.size());
    check_limits();
    return chunk;
}

void TarStream::drain() {
    while (!next().empty()) {
    }
}

void TarStream::check_limits() const {
    if (bytes_ > limits_.max_layer_bytes)
        throw DataError("too_large", "decompressed layer exceeds the limit of " +
                                         std::to_string(limits_.max_layer_bytes) + " bytes");
    // The ratio is only judged on large outputs: small, very compressible layers are normal.
    if (bytes_ <= limits_.ratio_check_min_bytes) return;
    const int64_t compressed = decompressor_.compressed_bytes_consumed();
    if (compressed > 0 && static_cast<double>(bytes_) > limits_.max_ratio * static_cast<double>(compressed))
        throw DataError("too_large", "decompression ratio exceeds " + format_ratio(limits_.max_ratio) + " (" +
                                         std::to_string(bytes_) + " bytes from " + std::to_string(compressed) +
                                         " compressed)");
}

}  // namespace regcensus::layer
