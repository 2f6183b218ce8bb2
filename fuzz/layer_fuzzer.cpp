// libFuzzer target over the whole layer analyser: the input is a layer blob
// (gzip, zstd or plain tar, sniffed as in a census). Any status is fine; a
// crash, a sanitizer report, a leak or a hang is a bug. Limits are small so
// that one input cannot spend seconds on a legitimate but large expansion.
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
    // Small source chunks exercise the chunk boundaries of every stage.
    MemoryByteSource source(std::string_view(reinterpret_cast<const char*>(data), size), 4096);
    const LayerAnalysis analysis = analyze_layer(source, {}, limits);
    // Invariants that hold for every input.
    if (analysis.profile.ok() && analysis.files.size() != static_cast<std::size_t>(analysis.profile.file_count))
        __builtin_trap();
    if (!analysis.profile.ok() && !analysis.files.empty()) __builtin_trap();
    return 0;
}
