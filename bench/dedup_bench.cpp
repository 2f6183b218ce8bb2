// The duplicate-index reduce alone, on synthetic records generated on the fly
// (so that only the reduce's own memory is measured): prints records/s per rank
// and peak resident bytes per record (ru_maxrss after, minus ru_maxrss before
// any record exists). Contents follow a Zipf law (P(id) ~ 1/id): a few contents
// are copied millions of times and most records belong to heavily copied
// contents, as in registries. Driven by bench/dedup-bench.sh.
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "regcensus/mpi/communicator.hpp"
#include "regcensus/dedup/dedup_reduce.hpp"

using namespace regcensus;

namespace {

uint64_t mix(uint64_t x) {  // splitmix64's finaliser
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct Synthetic {
    uint64_t records = 50'000'000;
    uint64_t files_per_layer = 500;
    int content_bits = 21;  // content ids in [1, 2^bits): 2 M possible contents
    uint64_t seed = 1;

    // Record i: layer i / files_per_layer, its file i % files_per_layer. The
    // content id is log-uniform (uniform octave, uniform within it): Zipf, s = 1.
    ContentRecord record(uint64_t i) const {
        const uint64_t u = mix(i ^ (seed << 40));
        const int octave = static_cast<int>(((u & 0xffffffffULL) * static_cast<uint64_t>(content_bits)) >> 32);
        const uint64_t id = (uint64_t{1} << octave) | ((u >> 32) & ((uint64_t{1} << octave) - 1));
        const uint64_t h = mix(id);
        ContentRecord r;
        r.hash = {h, mix(h ^ 0x5bd1e995)};
        r.size = static_cast<int64_t>((h >> 20) % 200000);
        r.type = static_cast<FileType>(id % kFileTypeCount);
        r.layer_row = static_cast<uint32_t>(i / files_per_layer);
        r.file_index = static_cast<uint32_t>(i % files_per_layer);
        return r;
    }
    uint64_t layers() const { return (records + files_per_layer - 1) / files_per_layer; }
};

int64_t max_rss_bytes() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<int64_t>(usage.ru_maxrss) * 1024;
}

// CPU seconds of this process: on a shared machine, wall time measures the neighbours.
double cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    mpi::Session session(&argc, &argv);
    mpi::Communicator comm;
    Synthetic synthetic;
    DedupOptions options;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const auto value = std::strtoull(argv[i + 1], nullptr, 10);
        if (key == "--records") synthetic.records = value;
        else if (key == "--files-per-layer") synthetic.files_per_layer = value;
        else if (key == "--content-bits") synthetic.content_bits = static_cast<int>(value);
        else if (key == "--memory-mib") options.memory_per_rank = value << 20;
        else if (key == "--seed") synthetic.seed = value;
        else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    const auto ranks = static_cast<uint64_t>(comm.size());
    const uint64_t begin = synthetic.records * static_cast<uint64_t>(comm.rank()) / ranks;
    const uint64_t end = synthetic.records * static_cast<uint64_t>(comm.rank() + 1) / ranks;

    // Every fourth layer is listed by several images; the others by image layer / 3.
    std::vector<int64_t> sole_image(synthetic.layers());
    for (std::size_t l = 0; l < sole_image.size(); ++l) sole_image[l] = l % 4 == 0 ? -1 : static_cast<int64_t>(l / 3);
    options.layer_count = sole_image.size();
    options.spill_dir = std::filesystem::temp_directory_path() /
                        ("regcensus-dedup-bench-" + std::to_string(::getpid()));

    // The generator's own cost, timed apart so that it can be told from the reduce's.
    comm.barrier();
    auto start = std::chrono::steady_clock::now();
    double cpu_start = cpu_seconds();
    uint64_t checksum = 0;
    for (uint64_t i = begin; i < end; ++i) checksum += synthetic.record(i).hash.low;
    const double generate_seconds = comm.max(static_cast<int64_t>(seconds_since(start) * 1e6)) / 1e6;
    const double generate_cpu = comm.max(static_cast<int64_t>((cpu_seconds() - cpu_start) * 1e6)) / 1e6;

    const int64_t baseline = max_rss_bytes();
    comm.barrier();
    start = std::chrono::steady_clock::now();
    cpu_start = cpu_seconds();
    uint64_t next = begin;
    RecordSource source = [&](std::span<ContentRecord> batch) -> std::size_t {
        const auto n = static_cast<std::size_t>(std::min<uint64_t>(batch.size(), end - next));
        for (std::size_t k = 0; k < n; ++k) batch[k] = synthetic.record(next + k);
        next += n;
        return n;
    };
    const auto summary = reduce_duplicates(
        comm, source, options, sole_image, [&](uint32_t row, uint32_t index) -> std::optional<std::string> {
            const uint64_t first = uint64_t{row} * synthetic.files_per_layer + index;
            if (first < begin || first >= end) return std::nullopt;
            return "layer-" + std::to_string(row) + "/file-" + std::to_string(index);
        });
    const double reduce_seconds = comm.max(static_cast<int64_t>(seconds_since(start) * 1e6)) / 1e6;
    const double reduce_cpu = comm.max(static_cast<int64_t>((cpu_seconds() - cpu_start) * 1e6)) / 1e6;
    const int64_t peak = comm.max(max_rss_bytes() - baseline);
    std::filesystem::remove_all(options.spill_dir);

    if (comm.is_root()) {
        const double per_rank = static_cast<double>(synthetic.records) / static_cast<double>(ranks);
        int64_t many_copies_files = 0;
        for (auto [k, contents] : summary.contents_by_copies)
            if (k >= 10) many_copies_files += k * contents;
        std::printf("np=%d records=%llu contents=%lld files_per_content=%.1f files_in_contents_with_10+_copies=%.1f%%\n",
                    comm.size(), static_cast<unsigned long long>(synthetic.records),
                    static_cast<long long>(summary.unique_file_count),
                    static_cast<double>(summary.file_count) / static_cast<double>(summary.unique_file_count),
                    100.0 * static_cast<double>(many_copies_files) / static_cast<double>(summary.file_count));
        std::printf("np=%d reduce_seconds=%.3f generate_seconds=%.3f records_per_s_per_rank=%.0f "
                    "records_per_s_per_rank_without_generation=%.0f peak_bytes_per_record=%.2f checksum=%llu\n",
                    comm.size(), reduce_seconds, generate_seconds, per_rank / reduce_seconds,
                    per_rank / std::max(reduce_seconds - generate_seconds, 1e-9),
                    static_cast<double>(peak) / per_rank, static_cast<unsigned long long>(checksum % 1000));
        std::printf("np=%d cpu: reduce_cpu_seconds=%.3f generate_cpu_seconds=%.3f records_per_cpu_s_per_rank=%.0f\n",
                    comm.size(), reduce_cpu, generate_cpu, per_rank / reduce_cpu);
        std::printf("np=%d top1 copies=%lld layers=%lld path=%s\n", comm.size(),
                    summary.top.empty() ? 0LL : static_cast<long long>(summary.top[0].copies),
                    summary.top.empty() ? 0LL : static_cast<long long>(summary.top[0].layers),
                    summary.top.empty() ? "" : summary.top[0].example_path.c_str());
    }
    return 0;
}
