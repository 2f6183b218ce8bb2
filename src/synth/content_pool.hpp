#pragma once
// Contents that recur across the corpus the way they do in real registries:
// license texts in every package's doc directory, shared libraries copied
// into application layers, the same CA bundle in every distro. A pooled
// content has one spec for the whole corpus, so every use is a byte-identical
// copy. Also home of the size scaling shared by all recipes.
#include <cstdint>
#include <string>
#include <string_view>

#include "regcensus/synth/content.hpp"
#include "random.hpp"

namespace regcensus::synth {

// `--scale s` multiplies file sizes by sqrt(s) and file counts by sqrt(s), so
// the corpus grows about linearly in s while staying made of plausible files.
class Scale {
public:
    explicit Scale(double scale);
    int64_t bytes(int64_t at_scale_one) const;
    int count(int at_scale_one) const;

private:
    double factor_;
    int64_t max_file_bytes_;
};

enum class License { gpl2, gpl3, lgpl21, apache2, mit, bsd3, isc, count };
enum class SharedLibrary { libc, libcrypto, libssl, libz, libstdcxx, libgcc_s, libffi, libexpat, count };

class ContentPool {
public:
    ContentPool(uint64_t corpus_seed, const Scale& scale) : seed_(corpus_seed), scale_(scale) {}

    ContentSpec license(License which) const;
    ContentSpec shared_library(SharedLibrary which) const;
    static std::string_view library_file_name(SharedLibrary which);  // "libc.so.6"
    ContentSpec ca_bundle() const;
    ContentSpec busybox() const;
    ContentSpec favicon() const;
    ContentSpec jquery() const;
    ContentSpec python_init() const { return ContentSpec{ContentKind::empty, 0, 0}; }

    // A fresh content of `kind` whose size follows a log-normal-ish law
    // around 2^median_log2 (at scale 1), capped at a few MiB.
    ContentSpec fresh(Random& random, ContentKind kind, int median_log2, int spread_log2 = 1) const;
    const Scale& scale() const { return scale_; }
    uint64_t seed() const { return seed_; }

private:
    ContentSpec pooled(std::string_view name, ContentKind kind, int64_t size) const;

    uint64_t seed_;
    Scale scale_;
};

}  // namespace regcensus::synth
