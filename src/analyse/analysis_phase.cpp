#include "regcensus/analyse/analysis_phase.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "regcensus/mpi/failure_policy.hpp"
#include "regcensus/mpi/progress_sum.hpp"
#include "regcensus/mpi/shared_counter.hpp"
#include "regcensus/workdir/shard_file.hpp"
#include "regcensus/util/binary_codec.hpp"
#include "regcensus/util/bounded_byte_source.hpp"
#include "regcensus/util/cpu_share.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/stop_signal.hpp"

namespace regcensus {
namespace {

struct LayerTask {
    int64_t shard_id;
    std::size_t position;  // within the shard
    PlannedLayer layer;
};

struct InFlightShard {
    ShardResult result;
    std::size_t remaining = 0;
    // A layer of it failed while a stop was under way: the failure may be the
    // stop's doing (an aborted transfer), so the shard is left to the rerun.
    bool abandoned = false;
};

// Layers of claimed shards go to the workers; finished analyses come back.
class WorkQueue {
public:
    void push(LayerTask task) {
        {
            std::lock_guard lock(mutex_);
            tasks_.push_back(std::move(task));
        }
        task_ready_.notify_one();
    }
    std::optional<LayerTask> pop_task() {
        std::unique_lock lock(mutex_);
        task_ready_.wait(lock, [&] { return closed_ || !tasks_.empty(); });
        if (tasks_.empty()) return std::nullopt;
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        return task;
    }
    void finish(LayerTask task, LayerAnalysis analysis) {
        {
            std::lock_guard lock(mutex_);
            done_.emplace_back(std::move(task), std::move(analysis));
        }
        result_ready_.notify_one();
    }
    // Waits up to `timeout` for finished analyses.
    std::vector<std::pair<LayerTask, LayerAnalysis>> take_done(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        result_ready_.wait_for(lock, timeout, [&] { return !done_.empty() || failure_; });
        std::vector<std::pair<LayerTask, LayerAnalysis>> out(std::make_move_iterator(done_.begin()),
                                                             std::make_move_iterator(done_.end()));
        done_.clear();
        return out;
    }
    bool idle() {
        std::lock_guard lock(mutex_);
        return tasks_.empty();
    }
    void close() {
        {
            std::lock_guard lock(mutex_);
            closed_ = true;
        }
        task_ready_.notify_all();
    }
    // A worker's program error, for the main thread to act on (the first one wins).
    void fail(std::exception_ptr error) {
        {
            std::lock_guard lock(mutex_);
            if (!failure_) failure_ = std::move(error);
            closed_ = true;
        }
        task_ready_.notify_all();
        result_ready_.notify_one();
    }
    std::exception_ptr failure() {
        std::lock_guard lock(mutex_);
        return failure_;
    }

private:
    std::mutex mutex_;
    std::condition_variable task_ready_, result_ready_;
    std::deque<LayerTask> tasks_;
    std::deque<std::pair<LayerTask, LayerAnalysis>> done_;
    bool closed_ = false;
    std::exception_ptr failure_;
};

LayerAnalysis analyse_layer_in(ImageStore& store, const PlannedLayer& layer, const std::string& repository,
                               const LayerLimits& limits) {
    // Images may disagree on a shared layer's size: the blob is verified by its
    // digest alone, bounded by the limits, and each image's descriptor is
    // compared with the verified size afterwards (census_summary: size_mismatch).
    LayerExpectation expect{layer.digest, -1, layer.media_type};
    LayerAnalysis analysis;
    try {
        // Foreign layers live outside the registry (Windows base layers, mostly): recorded, not fetched.
        if (layer.foreign) throw DataError("foreign", "foreign layer (descriptor urls): not fetched");
        auto blob = store.open_blob(repository, layer.digest, -1);
        BoundedByteSource bounded(*blob, layer.largest_declared_size,
                                  "the blob goes on past " + std::to_string(layer.largest_declared_size) +
                                      " bytes, the largest size an image declares for it");
        analysis = analyze_layer(bounded, expect, limits);
    } catch (const DataError& e) {
        // The transfer failed before the analyser saw a byte.
        analysis.profile.digest = layer.digest;
        analysis.profile.compressed_bytes = layer.size;  // never seen whole: the size most images declare
        analysis.profile.status = e.status();
        analysis.profile.error = e.what();
    }
    analysis.profile.digest = layer.digest;
    analysis.profile.media_type = layer.media_type;  // the manifest's word, whatever the bytes looked like
    return analysis;
}

// The statuses that say "not here" rather than "not right": the blob may be
// served from another repository whose image lists it.
bool missing_here(const std::string& status) {
    return status == "blob_unknown" || status == "unauthorized" || status == "denied" || status == "http_404";
}

// From the first image's repository, else from those of the next images that
// list the layer (a few at most: a blob missing everywhere costs few requests).
LayerAnalysis analyse_layer_from(ImageStore& store, const PlannedLayer& layer, const LayerLimits& limits) {
    constexpr std::size_t kRepositoriesTried = 3;
    auto analysis = analyse_layer_in(store, layer, layer.repository, limits);
    for (std::size_t k = 0; k < layer.other_repositories.size() && k + 1 < kRepositoriesTried; ++k) {
        if (!missing_here(analysis.profile.status) || stop_requested()) break;
        analysis = analyse_layer_in(store, layer, layer.other_repositories[k], limits);
    }
    return analysis;
}

// A test hook: a program error (not a data error) in a worker thread when a
// layer of this shard is analysed, to prove the failure policy.
void maybe_throw_for_test(int64_t shard_id) {
    if (const char* value = std::getenv("REGCENSUS_TEST_WORKER_ERROR_SHARD"))
        if (std::atoll(value) == shard_id)
            throw std::logic_error("test hook: program error in a worker thread on shard " + std::to_string(shard_id));
}

// Data errors are the layer's status (analyse_layer_from); anything else is a
// program error, handed to the main thread, which applies the failure policy.
void work(WorkQueue& queue, const AnalysisOptions& options) {
    try {
        auto store = options.open_store();
        while (auto task = queue.pop_task()) {
            maybe_throw_for_test(task->shard_id);
            LayerAnalysis analysis;
            if (stop_requested()) {
                // Not started before the stop: its shard is abandoned, not written.
                analysis.profile.digest = task->layer.digest;
                analysis.profile.status = "interrupted";
                analysis.profile.error = "not analysed: the run was stopped";
            } else {
                analysis = analyse_layer_from(*store, task->layer, options.limits);
            }
            queue.finish(std::move(*task), std::move(analysis));
        }
    } catch (...) {
        queue.fail(std::current_exception());
    }
}

// A rank whose analysis workers each have a second CPU to themselves (Slurm's
// --cpus-per-task=2, say) gives every layer a thread for the inflate and one
// for the read and digest (LayerLimits::use_spare_core): the same results,
// sooner. A rank that shares its CPUs with the node's other ranks counts
// only its share of them. Collective over `comm`.
AnalysisOptions with_spare_cores(const AnalysisOptions& given, const mpi::Communicator& comm, const RunLog& log) {
    AnalysisOptions options = given;
    const std::vector<int> mine = allowed_cpus();
    ByteWriter writer;
    writer.put_vector(mine);
    std::vector<std::vector<int>> node_masks;
    for (const auto& bytes : comm.allgather_on_node(writer.bytes())) node_masks.push_back(ByteReader(bytes).get_vector<int>());
    const double share = cpu_share(node_masks, mine);
    options.limits.use_spare_core = share >= 2.0 * std::max(1, options.concurrency);
    const int64_t ranks_with_spare_cores = comm.sum(int64_t{options.limits.use_spare_core ? 1 : 0});
    if (ranks_with_spare_cores > 0)
        log.root("analyse: %lld of %d rank(s) have a second CPU per worker: the inflate of each layer runs on a "
                 "thread of its own",
                 (long long)ranks_with_spare_cores, comm.size());
    return options;
}

// Rank 0 decides what is left to do, so every rank sees the same list: largest shards first.
std::vector<int64_t> shards_to_do(const CensusPlan& plan, const AnalysisOptions& options,
                                  const mpi::Communicator& comm, const RunLog& log) {
    ByteWriter list;
    if (comm.is_root()) {
        std::vector<const Shard*> todo;
        int64_t skipped = 0;
        for (const auto& shard : plan.shards) {
            if (options.shards && !std::binary_search(options.shards->begin(), options.shards->end(), shard.id))
                continue;
            if (shard_exists(options.work_dir, shard.id)) {
                bool retry = false;
                if (options.retry_failed)
                    for (const auto& s : read_shard_statuses(shard_path(options.work_dir, shard.id)))
                        retry = retry || is_retryable_status(s);
                if (!retry) {
                    ++skipped;
                    continue;
                }
            }
            todo.push_back(&shard);
        }
        if (skipped > 0) log.root("analyse: %lld shard(s) already done, not downloaded again", (long long)skipped);
        std::stable_sort(todo.begin(), todo.end(), [](auto* a, auto* b) { return a->bytes > b->bytes; });
        for (auto* s : todo) list.put(s->id);
    }
    auto bytes = comm.broadcast(std::move(list.bytes()));
    std::vector<int64_t> ids(bytes.size() / sizeof(int64_t));
    std::memcpy(ids.data(), bytes.data(), bytes.size());
    return ids;
}

// A test hook: a crash as if the node were lost, when this shard is taken.
void maybe_crash_for_test(int64_t shard_id) {
    if (const char* value = std::getenv("REGCENSUS_TEST_CRASH_SHARD"))
        if (std::atoll(value) == shard_id) std::abort();
}

class ProgressReporter {
public:
    ProgressReporter(const mpi::Communicator& comm, const RunLog& log, double every_seconds, int64_t total_layers,
                     int64_t total_bytes)
        : sum_(comm, 4), log_(log), every_(every_seconds), total_layers_(total_layers), total_bytes_(total_bytes),
          next_(log.seconds() + every_seconds) {}

    void tick(const std::vector<int64_t>& local) {
        if (every_ > 0 && log_.seconds() >= next_) {
            sum_.post(local);
            next_ = log_.seconds() + every_;
        }
        while (auto totals = sum_.poll()) print(*totals);
    }
    void finish(const std::vector<int64_t>& local) { sum_.finish(local); }

private:
    void print(const std::vector<int64_t>& t) {
        const double elapsed = log_.seconds();
        const double rate = elapsed > 0 ? double(t[1]) / elapsed : 0;
        const double eta = rate > 0 ? double(total_bytes_ - t[1]) / rate : -1;
        const double percent = total_bytes_ > 0 ? 100.0 * double(t[1]) / double(total_bytes_) : 100.0;
        log_.root("progress: layers %lld/%lld, %.1f/%.1f MB (%.1f%%), %.1f MB/s, %lld failed, %lld shards written, ETA %.0fs",
                  (long long)t[0], (long long)total_layers_, t[1] / 1e6, total_bytes_ / 1e6, percent, rate / 1e6,
                  (long long)t[2], (long long)t[3], eta);
    }
    mpi::ProgressSum sum_;
    const RunLog& log_;
    double every_;
    int64_t total_layers_, total_bytes_;
    double next_;
};

}  // namespace

AnalysisOutcome analyse_shards(const CensusPlan& plan, const AnalysisOptions& given,
                               const mpi::Communicator& comm, const RunLog& log) {
    const AnalysisOptions options = with_spare_cores(given, comm, log);
    const auto todo = shards_to_do(plan, options, comm, log);
    const auto layers = plan.layer_plan();
    std::unordered_map<std::string, const PlannedLayer*> layer_by_digest;
    for (const auto& l : layers.layers) layer_by_digest[l.digest] = &l;
    std::unordered_map<int64_t, const Shard*> shard_by_id;
    int64_t total_layers = 0, total_bytes = 0;
    for (const auto& s : plan.shards) shard_by_id[s.id] = &s;
    for (auto id : todo) {
        total_layers += static_cast<int64_t>(shard_by_id.at(id)->digests.size());
        total_bytes += shard_by_id.at(id)->bytes;
    }
    log.root("analyse: %zu shard(s) to do, %lld layers, %.1f MB, %d rank(s) x %d worker(s)", todo.size(),
             (long long)total_layers, total_bytes / 1e6, comm.size(), options.concurrency);

    mpi::SharedCounter next_shard(comm);
    ProgressReporter progress(comm, log, options.progress_seconds, total_layers, total_bytes);
    std::vector<int64_t> counters(4, 0);  // layers done, bytes done, layers failed, shards written

    WorkQueue queue;
    std::vector<std::thread> workers;
    for (int i = 0; i < std::max(1, options.concurrency); ++i) workers.emplace_back(work, std::ref(queue), std::cref(options));

    std::map<int64_t, InFlightShard> in_flight;
    bool exhausted = todo.empty();
    AnalysisOutcome outcome;
    auto claim_shard = [&] {
        const auto slot = next_shard.fetch_and_increment();
        if (slot >= static_cast<int64_t>(todo.size())) {
            exhausted = true;
            return;
        }
        const auto& shard = *shard_by_id.at(todo[static_cast<std::size_t>(slot)]);
        maybe_crash_for_test(shard.id);
        auto& flight = in_flight[shard.id];
        flight.result.shard_id = shard.id;
        flight.result.layers.resize(shard.digests.size());
        // With --retry-failed, layers that did not fail keep their earlier analysis.
        std::vector<bool> keep(shard.digests.size(), false);
        if (shard_exists(options.work_dir, shard.id)) {
            auto previous = read_shard(shard_path(options.work_dir, shard.id));
            for (std::size_t i = 0; i < previous.layers.size() && i < keep.size(); ++i)
                if (!is_retryable_status(previous.layers[i].profile.status)) {
                    keep[i] = true;
                    flight.result.layers[i] = std::move(previous.layers[i]);
                }
        }
        for (std::size_t i = 0; i < shard.digests.size(); ++i) {
            if (keep[i]) continue;
            ++flight.remaining;
            queue.push({shard.id, i, *layer_by_digest.at(shard.digests[i])});
        }
    };
    auto write_finished = [&] {
        for (auto it = in_flight.begin(); it != in_flight.end();) {
            if (it->second.remaining > 0) {
                ++it;
                continue;
            }
            if (it->second.abandoned) {
                it = in_flight.erase(it);
                continue;
            }
            write_shard(it->second.result, shard_path(options.work_dir, it->first));
            ++counters[3];
            ++outcome.shards_analysed;
            it = in_flight.erase(it);
        }
    };

    // SIGUSR1 (wind down) stops the claiming and lets running shards finish;
    // SIGTERM/SIGINT (stop) also abort the transfers, and the shards they hit are
    // abandoned: a layer cut short by the stop must not land as a failed row.
    try {
        while (true) {
            if (auto error = queue.failure()) mpi::fail_job(error);
            if (!exhausted && !wind_down_requested() && queue.idle()) claim_shard();
            for (auto& [task, analysis] : queue.take_done(std::chrono::milliseconds(50))) {
                ++counters[0];
                counters[1] += std::max<int64_t>(task.layer.size, 0);
                if (!analysis.profile.ok()) {
                    ++counters[2];
                    log.rank("layer %s: %s: %s", task.layer.digest.c_str(), analysis.profile.status.c_str(),
                             analysis.profile.error.c_str());
                }
                auto& flight = in_flight.at(task.shard_id);
                if (!analysis.profile.ok() && stop_requested()) flight.abandoned = true;
                flight.result.layers[task.position] = std::move(analysis);
                --flight.remaining;
            }
            write_finished();
            progress.tick(counters);
            if ((exhausted || wind_down_requested()) && in_flight.empty()) break;
        }
    } catch (...) {
        // A failed shard write, say: the workers are still running and other
        // ranks may wait for this one, so no unwinding past this point.
        mpi::fail_job(std::current_exception());
    }
    queue.close();
    for (auto& w : workers) w.join();
    progress.finish(counters);
    outcome.interrupted = comm.max(wind_down_requested() ? 1 : 0) > 0;
    return outcome;
}

}  // namespace regcensus
