#include "content_pool.hpp"

#include <algorithm>
#include <cmath>

namespace regcensus::synth {

Scale::Scale(double scale)
    : factor_(std::sqrt(scale)),
      // 4 MiB at scale 1: large enough for a few multi-MiB files, small enough to stay quick.
      max_file_bytes_(std::max<int64_t>(4096, static_cast<int64_t>(std::llround(4.0 * 1024 * 1024 * std::sqrt(scale))))) {}

int64_t Scale::bytes(int64_t at_scale_one) const {
    const auto scaled = static_cast<int64_t>(std::llround(static_cast<double>(at_scale_one) * factor_));
    return std::clamp<int64_t>(scaled, 0, max_file_bytes_);
}

int Scale::count(int at_scale_one) const {
    if (at_scale_one <= 0) return 0;
    return std::max(1, static_cast<int>(std::llround(at_scale_one * factor_)));
}

ContentSpec ContentPool::pooled(std::string_view name, ContentKind kind, int64_t size) const {
    return ContentSpec{kind, derive_seed(seed_, std::string("pool/") + std::string(name)), size};
}

ContentSpec ContentPool::license(License which) const {
    // Roughly the real lengths; license texts do not scale with the corpus.
    static constexpr int64_t sizes[] = {18092, 35149, 26530, 11358, 1077, 1539, 751};
    static constexpr std::string_view names[] = {"GPL-2", "GPL-3", "LGPL-2.1", "Apache-2.0", "MIT", "BSD-3", "ISC"};
    const auto i = static_cast<std::size_t>(which);
    return pooled(names[i], ContentKind::document_text, sizes[i]);
}

std::string_view ContentPool::library_file_name(SharedLibrary which) {
    static constexpr std::string_view names[] = {"libc.so.6",        "libcrypto.so.3", "libssl.so.3",
                                                  "libz.so.1.2.13",   "libstdc++.so.6.0.30", "libgcc_s.so.1",
                                                  "libffi.so.8.1.2",  "libexpat.so.1.8.10"};
    return names[static_cast<std::size_t>(which)];
}

ContentSpec ContentPool::shared_library(SharedLibrary which) const {
    static constexpr int64_t sizes[] = {950000, 1500000, 310000, 90000, 900000, 60000, 40000, 190000};
    const auto i = static_cast<std::size_t>(which);
    return pooled(library_file_name(which), ContentKind::elf_shared_object, scale_.bytes(sizes[i]));
}

ContentSpec ContentPool::ca_bundle() const { return pooled("ca-certificates.crt", ContentKind::document_text, 213777); }
ContentSpec ContentPool::busybox() const {
    return pooled("busybox", ContentKind::elf_executable, scale_.bytes(820000));
}
ContentSpec ContentPool::favicon() const { return pooled("favicon.png", ContentKind::image_png, 5430); }
ContentSpec ContentPool::jquery() const { return pooled("jquery.min.js", ContentKind::document_text, 89476); }

ContentSpec ContentPool::fresh(Random& random, ContentKind kind, int median_log2, int spread_log2) const {
    const int64_t size = kind == ContentKind::empty ? 0 : scale_.bytes(random.log_size(median_log2, spread_log2));
    return ContentSpec{kind, random.next(), size};
}

}  // namespace regcensus::synth
