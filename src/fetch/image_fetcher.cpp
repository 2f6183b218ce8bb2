#include "regcensus/fetch/image_fetcher.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "regcensus/registry/reference.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/registry/url_origin.hpp"
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
            Reference ref;
            try {
                ref = parse_reference(references[i], options.docker_hub);
            } catch (const std::invalid_argument& error) {
                throw DataError("invalid_reference", error.what());
            }
            // The same rule as the census: a reference naming another registry is not fetched from this one.
            refuse_foreign_registry(ref.host, options.registry_url, "fetch");
            work[i].reference = ref;
            auto store_manifest = [&](const std::string& reference) {
                FetchedManifest fetched = client.get_manifest(ref.repository, reference);
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

            const FetchedManifest top = store_manifest(ref.manifest_reference());
            const Manifest manifest = parse_manifest(top.bytes, top.content_type);
            if (manifest.kind == ManifestKind::index) {
                std::vector<const Descriptor*> chosen;
                if (options.all_platforms) {
                    chosen = all_platforms(manifest);
                } else if (const Descriptor* one = select_platform(manifest, options.platform)) {
                    chosen.push_back(one);
                }
                if (chosen.empty())
                    throw DataError("platform_not_found", "the index " + top.digest + " has no manifest for platform " +
                                                              options.platform.str());
                for (const Descriptor* child : chosen) {
                    const FetchedManifest fetched = store_manifest(child->digest);
                    const Manifest image = parse_manifest(fetched.bytes, fetched.content_type);
                    if (image.kind == ManifestKind::index)
                        throw DataError("manifest_invalid", "the index entry " + child->digest + " is itself an index");
                    keep_image(image);
                }
            } else {
                keep_image(manifest);
            }
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
