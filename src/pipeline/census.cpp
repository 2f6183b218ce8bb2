#include "regcensus/pipeline/census.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unordered_map>

#include "regcensus/h5/results_writer.hpp"
#include "regcensus/pipeline/census_results.hpp"
#include "regcensus/pipeline/dedup_reduce.hpp"
#include "regcensus/pipeline/image_list.hpp"
#include "regcensus/pipeline/image_resolver.hpp"
#include "regcensus/pipeline/layer_plan.hpp"
#include "regcensus/pipeline/layer_profile_codec.hpp"
#include "regcensus/pipeline/work_directory.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

using Clock = std::chrono::steady_clock;

std::string utc_now_iso8601() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

bool is_docker_hub(const std::string& url) {
    return url.find("://registry-1.docker.io") != std::string::npos ||
           url.find("://docker.io") != std::string::npos || url.find("://index.docker.io") != std::string::npos;
}

// Rank 0 speaks for the job, like mpiFileUtils' progress lines.
class Log {
public:
    Log(const mpi::Communicator& comm) : comm_(comm), start_(Clock::now()) {}
    template <typename... Args>
    void root(const char* format, Args... args) const {
        if (!comm_.is_root()) return;
        std::fprintf(stderr, "[regcensus %7.1fs] ", seconds());
        std::fprintf(stderr, format, args...);
        std::fputc('\n', stderr);
    }
    template <typename... Args>
    void any(const char* format, Args... args) const {
        std::fprintf(stderr, "[regcensus %7.1fs rank %d] ", seconds(), comm_.rank());
        std::fprintf(stderr, format, args...);
        std::fputc('\n', stderr);
    }

private:
    double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
    const mpi::Communicator& comm_;
    Clock::time_point start_;
};

// Plan: ranks resolve images round-robin, then everyone gets every row in list order.
std::vector<ImageRecord> resolve_all_images(const CensusOptions& options, const mpi::Communicator& comm,
                                            ImageStore& registry, const WorkDirectory& work) {
    const auto entries = read_image_list(options.images_path);
    ResolveOptions resolve{options.platform, is_docker_hub(options.registry_url)};
    ByteWriter mine;
    for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < entries.size();
         i += static_cast<std::size_t>(comm.size())) {
        auto image = resolve_image(registry, entries[i], resolve, work);
        mine.put<uint64_t>(i);
        encode(mine, image);
    }
    std::vector<ImageRecord> images(entries.size());
    for (const auto& part : comm.allgather(mine.bytes())) {
        ByteReader in(part);
        while (!in.done()) {
            auto i = in.get<uint64_t>();
            images[i] = decode_image_record(in);
        }
    }
    return images;
}

struct LocalAnalyses {
    std::unordered_map<uint32_t, LayerAnalysis> by_row;
};

LayerAnalysis analyse_one(ImageStore& registry, const PlannedLayer& layer, const LayerLimits& limits) {
    LayerExpectation expect{layer.digest, layer.size, layer.media_type};
    try {
        auto blob = registry.open_blob(layer.repository, layer.digest);
        return analyze_layer(*blob, expect, limits);
    } catch (const DataError& e) {
        // The transfer failed before the analyser could see a byte.
        LayerAnalysis failed;
        failed.profile.digest = layer.digest;
        failed.profile.media_type = layer.media_type;
        failed.profile.compressed_bytes = layer.size;
        failed.profile.status = e.status();
        failed.profile.error = e.what();
        return failed;
    }
}

LocalAnalyses analyse_my_layers(const CensusOptions& options, const mpi::Communicator& comm,
                                ImageStore& registry, const LayerPlan& plan, const Log& log) {
    LocalAnalyses local;
    for (std::size_t row = 0; row < plan.layers.size(); ++row) {
        const auto& layer = plan.layers[row];
        if (layer.owner_rank != comm.rank()) continue;
        auto analysis = analyse_one(registry, layer, options.limits);
        // The manifest's word on the media type, whatever the analyser saw.
        analysis.profile.media_type = layer.media_type;
        if (!analysis.profile.ok())
            log.any("layer %s: %s: %s", layer.digest.c_str(), analysis.profile.status.c_str(),
                    analysis.profile.error.c_str());
        local.by_row.emplace(static_cast<uint32_t>(row), std::move(analysis));
    }
    return local;
}

std::vector<LayerProfile> gather_profiles(const mpi::Communicator& comm, const LocalAnalyses& local,
                                          std::size_t layer_count) {
    ByteWriter mine;
    for (const auto& [row, analysis] : local.by_row) {
        mine.put(row);
        encode(mine, analysis.profile);
    }
    std::vector<LayerProfile> profiles(comm.is_root() ? layer_count : 0);
    for (const auto& part : comm.gather(mine.bytes())) {
        ByteReader in(part);
        while (!in.done()) {
            auto row = in.get<uint32_t>();
            profiles[row] = decode_layer_profile(in);
        }
    }
    return profiles;
}

std::vector<ContentRecord> content_records(const LocalAnalyses& local) {
    std::vector<ContentRecord> records;
    for (const auto& [row, analysis] : local.by_row) {
        if (!analysis.profile.ok()) continue;
        for (const auto& f : analysis.files) records.push_back({f.hash, f.size, row, f.index, f.type});
    }
    return records;
}

}  // namespace

int run_census(const CensusOptions& options, const mpi::Communicator& comm) {
    Log log(comm);
    WorkDirectory work(options.work_dir);
    RegistryOptions registry_options;
    registry_options.url = options.registry_url;
    registry_options.tls_verify = options.tls_verify;
    registry_options.retries = options.retries;
    RegistryClient registry(registry_options);

    log.root("plan: resolving images of %s on %d rank(s)", options.images_path.c_str(), comm.size());
    auto images = resolve_all_images(options, comm, registry, work);
    std::size_t images_ok = 0;
    for (const auto& image : images) images_ok += image.ok();
    auto plan = plan_layers(images, comm.size());
    int64_t plan_bytes = 0;
    for (const auto& layer : plan.layers) plan_bytes += std::max<int64_t>(layer.size, 0);
    log.root("plan: %zu images (%zu resolved, %zu failed), %zu distinct layers, %.1f MB compressed", images.size(),
             images_ok, images.size() - images_ok, plan.layers.size(), plan_bytes / 1e6);

    auto local = analyse_my_layers(options, comm, registry, plan, log);
    const auto failed_layers = comm.sum(static_cast<int64_t>(
        std::count_if(local.by_row.begin(), local.by_row.end(), [](auto& kv) { return !kv.second.profile.ok(); })));
    log.root("analyse: %zu layers done, %lld failed", plan.layers.size(), static_cast<long long>(failed_layers));

    CensusResults results;
    results.layers = gather_profiles(comm, local, plan.layers.size());
    results.dedup = reduce_duplicates(comm, content_records(local), options.top_rows,
                                      [&](uint32_t row, uint32_t index) -> std::optional<std::string> {
                                          auto it = local.by_row.find(row);
                                          if (it == local.by_row.end()) return std::nullopt;
                                          const auto& files = it->second.files;
                                          if (index < files.size() && files[index].index == index)
                                              return files[index].path;
                                          for (const auto& f : files)
                                              if (f.index == index) return f.path;
                                          return std::nullopt;
                                      });
    if (comm.is_root()) {
        results.provenance = {REGCENSUS_VERSION, utc_now_iso8601(), options.command_line, comm.size(),
                              options.parameters};
        results.images = std::move(images);
        results.plan = std::move(plan);
        summarise(results);
        write_results(results, options.out_path);
        log.root("reduce: %lld files, %lld distinct contents; wrote %s",
                 static_cast<long long>(results.dedup.file_count),
                 static_cast<long long>(results.dedup.unique_file_count), options.out_path.c_str());
    }
    comm.barrier();
    return 0;
}

}  // namespace regcensus
