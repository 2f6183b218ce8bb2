#include "regcensus/fetch/image_fetcher.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {

namespace {

// Runs `work(i)` for i in [0, count) on `threads` threads, each with a client of its own.
template <typename Work>
void run_on_threads(int threads, size_t count, const RegistryOptions& registry, Work&& work) {
    std::atomic<size_t> next{0};
    std::mutex error_mutex;
    std::exception_ptr program_error;
    auto worker = [&] {
        try {
            RegistryClient client(registry);
            for (size_t i = next++; i < count; i = next++) work(client, i);
        } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!program_error) program_error = std::current_exception();
            next = count;
        }
    };
    const int used = std::max(1, std::min<int>(threads, int(count)));
    std::vector<std::thread> pool;
    for (int t = 1; t < used; ++t) pool.emplace_back(worker);
    worker();
    for (auto& thread : pool) thread.join();
    if (program_error) std::rethrow_exception(program_error);
}

struct BlobJob {
    std::string repository;
    Descriptor descriptor;
    std::vector<size_t> images;  // rows that need this blob
};

struct ImageWork {
    Reference reference;
    std::vector<std::string> blobs;  // digests this image needs
};

}  // namespace

std::vector<FetchedImage> fetch_images(const RegistryOptions& registry_options, const OciLayoutWriter& layout,
                                       const std::vector<std::string>& references, const FetchOptions& options,
                                       FetchTally& tally) {
    RegistryOptions registry = registry_options;
    share_registry_state(registry);
    std::vector<FetchedImage> rows(references.size());
    std::vector<ImageWork> work(references.size());
    std::mutex mutex;  // guards blobs and tally
    std::map<std::string, BlobJob> blobs;

    // Phase 1: manifests (small, sequential per image), stored as they come.
    run_on_threads(options.concurrency, references.size(), registry, [&](RegistryClient& client, size_t i) {
        FetchedImage& row = rows[i];
        row.reference = references[i];
        try {
            const Reference ref = parse_image_reference(references[i], options.docker_hub);
            work[i].reference = ref;
            const ManifestSource store_manifest = [&](const std::string& repository, const std::string& reference) {
                FetchedManifest fetched = client.get_manifest(repository, reference);
                if (!layout.has_blob(fetched.digest)) layout.write_blob(fetched.digest, fetched.bytes);
                std::lock_guard lock(mutex);
                ++tally.manifests;
                return fetched;
            };
            auto need_blob = [&](const Descriptor& blob) {
                std::lock_guard lock(mutex);
                auto& job = blobs[blob.digest];
                if (job.repository.empty()) {
                    job.repository = ref.repository;
                    job.descriptor = blob;
                }
                job.images.push_back(i);
            };
            auto keep_image = [&](const Manifest& image) {
                if (!image.config.digest.empty()) need_blob(image.config);
                for (const auto& layer : image.layers) {
                    if (!layer.urls.empty()) {
                        // Foreign layers (Windows base layers) live outside the registry,
                        // under their owner's licence: recorded, not copied.
                        std::lock_guard lock(mutex);
                        ++tally.foreign_layers;
                        continue;
                    }
                    need_blob(layer);
                }
            };

            // The census's walk (a reference naming another registry is not fetched from this one);
            // the row keeps the reference whole, so any image of it failing fails the row.
            const ImageWalk walk = walk_image(ref, options.walk, store_manifest, "fetch");
            for (const WalkedImage& image : walk.images) {
                if (image.error) throw *image.error;
                keep_image(image.manifest->parsed);
            }
            const FetchedManifest& top = walk.top.raw;
            const Manifest& manifest = walk.top.parsed;
            row.entry.name = ref.digest.empty() ? ref.repository + ":" + ref.tag : std::string();
            row.entry.descriptor.digest = top.digest;
            row.entry.descriptor.size = int64_t(top.bytes.size());
            row.entry.descriptor.media_type = manifest.media_type;
        } catch (const DataError& error) {
            row.status = error.status();
            row.error = error.what();
        }
    });

    // Phase 2: distinct blobs, `concurrency` at once, each straight into its file.
    std::vector<BlobJob*> jobs;
    for (auto& [digest, job] : blobs) {
        bool wanted = false;
        for (size_t image : job.images) wanted |= rows[image].status == "ok";
        if (!wanted) continue;
        if (layout.has_blob(digest)) {
            ++tally.blobs_present;
            continue;
        }
        jobs.push_back(&job);
    }
    // Largest first: a long transfer started last would leave the others idle at the end.
    std::stable_sort(jobs.begin(), jobs.end(),
                     [](const BlobJob* a, const BlobJob* b) { return a->descriptor.size > b->descriptor.size; });
    run_on_threads(options.concurrency, jobs.size(), registry, [&](RegistryClient& client, size_t j) {
        BlobJob& job = *jobs[j];
        try {
            int64_t bytes = 0;
            layout.write_blob_streaming(job.descriptor.digest, [&](const OciLayoutWriter::BlobSink& sink) {
                bytes = client.download_blob(job.repository, job.descriptor.digest, job.descriptor.size, sink);
            });
            std::lock_guard lock(mutex);
            ++tally.blobs_downloaded;
            tally.bytes_downloaded += bytes;
        } catch (const DataError& error) {
            std::lock_guard lock(mutex);
            for (size_t image : job.images) {
                if (rows[image].status != "ok") continue;
                rows[image].status = error.status();
                rows[image].error = error.what();
            }
        }
    });
    const TransferCounts counts = registry.shared->engine()->counts();
    tally.requests = counts.transfers;
    tally.connections = counts.connections;
    return rows;
}

}  // namespace regcensus
