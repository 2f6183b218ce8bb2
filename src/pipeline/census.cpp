#include "regcensus/pipeline/census.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>

#include "regcensus/pipeline/analysis_phase.hpp"
#include "regcensus/pipeline/image_list.hpp"
#include "regcensus/pipeline/image_resolver.hpp"
#include "regcensus/pipeline/merge_phase.hpp"
#include "regcensus/pipeline/run_log.hpp"
#include "regcensus/pipeline/shard_file.hpp"
#include "regcensus/pipeline/work_directory.hpp"
#include "regcensus/registry/oci_layout_store.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/registry/registry_shared.hpp"
#include "regcensus/util/stop_signal.hpp"

namespace regcensus {
namespace {

std::string utc_now_iso8601() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return text;
}

// Opens the image stores of a run: one per thread, all sharing one registry
// state (tokens, rate cap, and the transfer engine with its connection pool),
// made at the first open so that a run that never reaches the registry (a
// merge) never reads credentials.
class StoreFactory {
public:
    explicit StoreFactory(const CensusOptions& options) : layout_(options.layout_dir) {
        registry_.url = canonical_registry_url(options.registry_url);
        registry_.tls_verify = options.tls_verify;
        registry_.retries = options.retries;
        registry_.auth_file = options.auth_file;
        registry_.max_requests_per_second = options.max_requests_per_second;
    }
    std::unique_ptr<ImageStore> open() const {
        if (!layout_.empty()) return std::make_unique<OciLayoutStore>(layout_);
        std::lock_guard lock(mutex_);
        share_registry_state(registry_);
        return std::make_unique<RegistryClient>(registry_);
    }
    // Requests and connections of this process so far (zero from a layout).
    TransferCounts counts() const {
        std::lock_guard lock(mutex_);
        return registry_.shared ? registry_.shared->engine()->counts() : TransferCounts{};
    }

private:
    std::string layout_;
    mutable std::mutex mutex_;
    mutable RegistryOptions registry_;
};

// Ranks resolve the entries round-robin; every rank gets every entry's rows
// (several for an index with --all-platforms), by position in `entries`.
std::vector<std::vector<ImageRecord>> resolve_entries(const CensusOptions& options, const StoreFactory& stores,
                                                      const mpi::Communicator& comm,
                                                      const std::vector<ImageListEntry>& entries) {
    auto store = stores.open();
    WorkDirectory work(options.work_dir);
    ResolveOptions resolve;
    resolve.platform = options.platform;
    resolve.docker_hub = options.layout_dir.empty() && is_docker_hub_url(options.registry_url);
    resolve.all_platforms = options.all_platforms;
    ByteWriter mine;
    for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < entries.size();
         i += static_cast<std::size_t>(comm.size())) {
        auto rows = resolve_image(*store, entries[i], resolve, work);
        mine.put<uint64_t>(i);
        mine.put<uint64_t>(rows.size());
        for (const auto& row : rows) encode(mine, row);
    }
    std::vector<std::vector<ImageRecord>> rows_of_entry(entries.size());
    for (const auto& part : comm.allgather(mine.bytes())) {
        ByteReader in(part);
        while (!in.done()) {
            auto i = in.get<uint64_t>();
            for (auto n = in.get<uint64_t>(); n > 0; --n) rows_of_entry[i].push_back(decode_image_record(in));
        }
    }
    return rows_of_entry;
}

std::vector<ImageRecord> resolve_all_images(const CensusOptions& options, const StoreFactory& stores,
                                           const mpi::Communicator& comm) {
    std::vector<ImageRecord> images;
    for (auto& rows : resolve_entries(options, stores, comm, read_image_list(options.images_path)))
        for (auto& row : rows) images.push_back(std::move(row));
    return images;
}

CensusPlan make_plan(const CensusOptions& options, const StoreFactory& stores, const mpi::Communicator& comm,
                     const RunLog& log) {
    log.root("plan: resolving images of %s on %d rank(s)", options.images_path.c_str(), comm.size());
    CensusPlan plan;
    plan.images = resolve_all_images(options, stores, comm);
    const auto layers = plan.layer_plan();
    int64_t total = 0;
    for (const auto& layer : layers.layers) total += std::max<int64_t>(layer.size, 0);
    const auto shard_bytes = options.shard_bytes > 0 ? options.shard_bytes : automatic_shard_bytes(total, comm.size());
    plan.shards = cut_shards(layers, shard_bytes);
    plan.parameters = {{"registry", options.layout_dir.empty() ? options.registry_url : "oci:" + options.layout_dir},
                       {"images", options.images_path},
                       {"platform", options.platform.str()},
                       {"shard_bytes", std::to_string(shard_bytes)}};
    if (comm.is_root()) save_plan(plan, plan_path(options.work_dir));
    comm.barrier();
    return plan;
}

void describe_plan(const CensusPlan& plan, const RunLog& log) {
    std::size_t ok = 0;
    int64_t bytes = 0;
    for (const auto& image : plan.images) ok += image.ok();
    for (const auto& shard : plan.shards) bytes += shard.bytes;
    log.root("plan: %zu images (%zu resolved, %zu failed), %lld distinct layers, %.1f MB compressed, %zu shards",
             plan.images.size(), ok, plan.images.size() - ok, (long long)plan.layer_count(), bytes / 1e6,
             plan.shards.size());
}

// --retry-failed: image rows whose plan failed for a retryable reason are
// resolved again (ranks share them round-robin); layers they bring that the
// plan does not hold yet go into new shards after the existing ones, so
// finished shards keep their numbers and their files.
bool retry_failed_images(CensusPlan& plan, const CensusOptions& options, const StoreFactory& stores,
                         const mpi::Communicator& comm, const RunLog& log) {
    std::vector<std::size_t> retry;
    for (std::size_t i = 0; i < plan.images.size(); ++i)
        if (is_retryable_status(plan.images[i].status)) retry.push_back(i);
    if (retry.empty()) return false;
    log.root("plan: resolving %zu image(s) again whose plan failed for a retryable reason", retry.size());
    std::vector<ImageListEntry> entries;
    for (auto i : retry) entries.push_back({plan.images[i].reference, plan.images[i].pull_count,
                                            plan.images[i].star_count, 0});
    auto resolved = resolve_entries(options, stores, comm, entries);
    std::map<std::size_t, std::vector<ImageRecord>> replaced;
    for (std::size_t k = 0; k < retry.size(); ++k) replaced[retry[k]] = std::move(resolved[k]);
    std::vector<ImageRecord> images;
    for (std::size_t i = 0; i < plan.images.size(); ++i) {
        if (auto it = replaced.find(i); it != replaced.end())
            for (auto& row : it->second) images.push_back(std::move(row));
        else
            images.push_back(std::move(plan.images[i]));
    }
    plan.images = std::move(images);

    std::set<std::string> planned;
    for (const auto& shard : plan.shards) planned.insert(shard.digests.begin(), shard.digests.end());
    LayerPlan fresh;
    for (auto& layer : plan.layer_plan().layers)
        if (!planned.count(layer.digest)) fresh.layers.push_back(std::move(layer));
    const auto first_new = static_cast<int64_t>(plan.shards.size());
    const auto shard_bytes = options.shard_bytes > 0 ? options.shard_bytes
                                                     : std::stoll(plan.parameters.count("shard_bytes")
                                                                      ? plan.parameters.at("shard_bytes")
                                                                      : std::to_string(int64_t{1} << 30));
    for (auto& shard : cut_shards(fresh, shard_bytes)) {
        shard.id += first_new;
        plan.shards.push_back(std::move(shard));
    }
    if (comm.is_root()) save_plan(plan, plan_path(options.work_dir));
    comm.barrier();
    return true;
}

// The plan of the work directory, made if there is none. A plan is never remade:
// reruns must see the same images and shards.
CensusPlan obtain_plan(const CensusOptions& options, const StoreFactory& stores, const mpi::Communicator& comm,
                       const RunLog& log, bool must_exist) {
    std::filesystem::create_directories(options.work_dir);
    const auto path = plan_path(options.work_dir);
    if (std::filesystem::exists(path)) {
        log.root("plan: using the saved plan %s", path.c_str());
        auto plan = load_plan(path);
        // Array tasks (--shards) run concurrently: only a whole run may rewrite the plan.
        if (options.retry_failed && !options.shards) retry_failed_images(plan, options, stores, comm, log);
        return plan;
    }
    if (must_exist) throw std::runtime_error("no plan in " + options.work_dir + "; run `regcensus plan` first");
    return make_plan(options, stores, comm, log);
}

MergeOptions merge_options(const CensusOptions& options, const mpi::Communicator& comm) {
    MergeOptions m;
    m.work_dir = options.work_dir;
    m.out_path = options.out_path;
    m.top_rows = options.top_rows;
    m.memory_per_rank = options.memory_per_rank;
    m.provenance = {REGCENSUS_VERSION, utc_now_iso8601(), options.command_line, comm.size(), options.parameters};
    return m;
}

}  // namespace

int64_t automatic_shard_bytes(int64_t total_compressed_bytes, int ranks) {
    const int64_t per_shard = total_compressed_bytes / (8 * std::max(1, ranks));
    return std::clamp<int64_t>(per_shard, int64_t{16} << 20, int64_t{1} << 30);
}

int plan_census(const CensusOptions& options, const mpi::Communicator& comm) {
    RunLog log(comm);
    const StoreFactory stores(options);
    auto plan = obtain_plan(options, stores, comm, log, false);
    describe_plan(plan, log);
    if (comm.is_root()) std::printf("shards %zu\n", plan.shards.size());
    return 0;
}

int run_census(const CensusOptions& options, const mpi::Communicator& comm) {
    RunLog log(comm);
    const bool earlier_run = std::filesystem::exists(plan_path(options.work_dir));
    if (earlier_run && !options.resume && !options.shards && !options.retry_failed)
        throw std::runtime_error("the work directory " + options.work_dir +
                                 " holds an earlier run: pass --resume to continue it, or choose a new --work");
    auto stores = std::make_shared<StoreFactory>(options);
    auto plan = obtain_plan(options, *stores, comm, log, options.shards.has_value());
    describe_plan(plan, log);

    install_stop_signal_handlers();
    AnalysisOptions analysis;
    analysis.work_dir = options.work_dir;
    analysis.limits = options.limits;
    analysis.concurrency = options.concurrency;
    analysis.shards = options.shards;
    analysis.retry_failed = options.retry_failed;
    analysis.progress_seconds = options.progress_seconds;
    analysis.open_store = [stores] { return stores->open(); };
    auto outcome = analyse_shards(plan, analysis, comm, log);
    log.root("analyse: %lld shard(s) written", (long long)comm.sum(outcome.shards_analysed));
    if (options.layout_dir.empty()) {
        const TransferCounts counts = stores->counts();
        // How well connections were reused: a request per connection would mean none were.
        const auto totals = comm.sum(std::vector<int64_t>{counts.transfers, counts.connections});
        log.root("registry: %lld requests over %lld connection(s) on %d rank(s)", (long long)totals[0],
                 (long long)totals[1], comm.size());
    }
    if (outcome.interrupted) {
        log.root("stopped by a signal: finished shards are saved; rerun with --resume to continue");
        return kExitIncomplete;
    }
    if (options.shards) {
        log.root("shards %s done; `regcensus merge` writes the results", format_shard_list(*options.shards).c_str());
        return 0;
    }
    return merge_shards(plan, merge_options(options, comm), comm, log);
}

int merge_census(const CensusOptions& options, const mpi::Communicator& comm) {
    RunLog log(comm);
    const StoreFactory stores(options);
    auto plan = obtain_plan(options, stores, comm, log, true);
    return merge_shards(plan, merge_options(options, comm), comm, log);
}

}  // namespace regcensus
