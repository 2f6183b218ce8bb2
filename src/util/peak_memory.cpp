#include "regcensus/util/peak_memory.hpp"

#include <cstdio>
#include <cstring>

namespace regcensus {

std::optional<int64_t> peak_resident_kib(const std::string& status_path) {
    std::FILE* file = std::fopen(status_path.c_str(), "r");
    if (!file) return std::nullopt;
    std::optional<int64_t> kib;
    char line[256];
    long long value = 0;
    while (std::fgets(line, sizeof line, file))
        if (std::sscanf(line, "VmHWM: %lld kB", &value) == 1) {
            kib = value;
            break;
        }
    std::fclose(file);
    return kib;
}

bool reset_peak_resident(const std::string& clear_refs_path) {
    std::FILE* file = std::fopen(clear_refs_path.c_str(), "w");
    if (!file) return false;
    // The write reaches the kernel at fclose; either may report the refusal.
    const bool written = std::fputs("5", file) >= 0;
    const bool closed = std::fclose(file) == 0;
    return written && closed;
}

}  // namespace regcensus
