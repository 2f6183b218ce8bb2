// libFuzzer target over the whole layer analyser: the input is a layer blob
// (gzip, zstd or plain tar, sniffed as in a census). Any status is fine; a
// crash, a sanitizer report, a leak or a hang is a bug. Limits are small so
// that one input cannot spend seconds on a legitimate but large expansion.
// Every input is analysed twice, inline and with a spare core (reader and
// decoder on threads of their own): any difference in the results is a bug.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/util/memory_byte_source.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
    using namespace regcensus;
    LayerLimits limits;
    limits.max_layer_bytes = int64_t{64} << 20;
    limits.ratio_check_min_bytes = int64_t{1} << 20;
    const std::string_view blob(reinterpret_cast<const char*>(data), size);
    // Small source chunks exercise the chunk boundaries of every stage.
    MemoryByteSource source(blob, 4096), same_source(blob, 4096);
    const LayerAnalysis analysis = analyze_layer(source, {}, limits);
    limits.use_spare_core = true;
    const LayerProfile& overlapped = analyze_layer(same_source, {}, limits).profile;
    const LayerProfile& p = analysis.profile;
    if (overlapped.status != p.status || overlapped.error != p.error || overlapped.digest != p.digest ||
        overlapped.compressed_bytes != p.compressed_bytes || overlapped.uncompressed_bytes != p.uncompressed_bytes ||
        overlapped.file_count != p.file_count || overlapped.file_bytes != p.file_bytes)
        __builtin_trap();
    // Invariants that hold for every input.
    if (analysis.profile.ok() && analysis.files.size() != static_cast<std::size_t>(analysis.profile.file_count))
        __builtin_trap();
    if (!analysis.profile.ok() && !analysis.files.empty()) __builtin_trap();
    return 0;
}
