#include "regcensus/plan/plan_phase.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "regcensus/census/image_list.hpp"
#include "regcensus/plan/plan_parameters.hpp"
#include "plan_progress.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/resolve/image_resolver.hpp"
#include "regcensus/storage/storage_store.hpp"
#include "regcensus/util/binary_codec.hpp"
#include "regcensus/util/row_status.hpp"
#include "regcensus/util/stop_signal.hpp"
#include "regcensus/workdir/work_directory.hpp"

namespace regcensus {
namespace {

// A stop signal during the plan phase: no plan is saved, the run exits 75.
struct PlanStopped {};

// Ranks resolve the entries round-robin; every rank gets every entry's rows
// (several for an index with --all-platforms), by position in `entries`.
std::vector<std::vector<ImageRecord>> resolve_entries(const CensusOptions& options, const StoreFactory& stores,
                                                      const mpi::Communicator& comm,
                                                      const std::vector<ImageListEntry>& entries) {
    auto store = stores.open();
    // A registry's storage keeps the manifests and configs itself (docs/storage.md).
    WorkDirectory work(options.work_dir, options.storage_dir.empty());
    ResolveOptions resolve;
    resolve.platform = options.platform;
    resolve.docker_hub = options.from_registry() && is_docker_hub_url(options.registry_url);
    if (options.from_registry()) resolve.registry_url = canonical_registry_url(options.registry_url);
    resolve.all_platforms = options.all_platforms;
    ByteWriter mine;
    PlanProgress progress(comm, options.progress_seconds, int64_t(entries.size()));
    for (std::size_t i = static_cast<std::size_t>(comm.rank()); i < entries.size();
         i += static_cast<std::size_t>(comm.size())) {
        if (wind_down_requested()) break;  // between images; the exchange below still runs on every rank
        auto rows = resolve_image(*store, entries[i], resolve, work);
        label_untagged_rows(*store, rows);
        progress.resolved(std::any_of(rows.begin(), rows.end(), [](const ImageRecord& r) { return !r.ok(); }));
        mine.put<uint64_t>(i);
        mine.put<uint64_t>(rows.size());
        for (const auto& row : rows) encode(mine, row);
    }
    progress.finish();
    std::vector<std::vector<ImageRecord>> rows_of_entry(entries.size());
    const auto parts = comm.allgather(mine.bytes());
    if (comm.max(wind_down_requested() ? 1 : 0) > 0) throw PlanStopped{};
    for (const auto& part : parts) {
        ByteReader in(part);
        while (!in.done()) {
            auto i = in.get<uint64_t>();
            for (auto n = in.get<uint64_t>(); n > 0; --n) rows_of_entry[i].push_back(decode_image_record(in));
        }
    }
    return rows_of_entry;
}

std::vector<ImageRecord> resolve_all_images(const CensusOptions& options, const StoreFactory& stores,
                                           const mpi::Communicator& comm, const ImageList& list) {
    std::vector<ImageRecord> images;
    for (auto& rows : resolve_entries(options, stores, comm, list.entries))
        for (auto& row : rows) images.push_back(std::move(row));
    return images;
}

CensusPlan make_plan(const CensusOptions& options, const StoreFactory& stores, const mpi::Communicator& comm,
                     const RunLog& log) {
    // Read first: a list that is not one is a single error line, before anything starts.
    const ImageList list =
        load_image_list(options.images_path, options.from_registry() && is_docker_hub_url(options.registry_url));
    log.root("plan: resolving images of %s on %d rank(s)", options.images_path.c_str(), comm.size());
    if (list.duplicates > 0)
        log.root("plan: %lld duplicate line(s) of %s dropped (the first line of each image is kept)",
                 (long long)list.duplicates, options.images_path.c_str());
    CensusPlan plan;
    plan.images = resolve_all_images(options, stores, comm, list);
    const auto layers = plan.layer_plan();
    int64_t total = 0;
    for (const auto& layer : layers.layers) total += std::max<int64_t>(layer.size, 0);
    const auto shard_bytes = options.shard_bytes > 0 ? options.shard_bytes : automatic_shard_bytes(total, comm.size());
    plan.shards = cut_shards(layers, shard_bytes);
    plan.parameters = plan_parameters_of(options);
    plan.parameters["shard_bytes_used"] = std::to_string(shard_bytes);
    if (comm.is_root()) save_plan(plan, plan_path(options.work_dir));
    comm.barrier();
    return plan;
}

}  // namespace

void describe_plan(const CensusPlan& plan, const RunLog& log) {
    std::size_t ok = 0;
    int64_t bytes = 0;
    for (const auto& image : plan.images) ok += image.ok();
    for (const auto& shard : plan.shards) bytes += shard.bytes;
    log.root("plan: %zu images (%zu resolved, %zu failed), %lld distinct layers, %.1f MB compressed, %zu shards",
             plan.images.size(), ok, plan.images.size() - ok, (long long)plan.layer_count(), bytes / 1e6,
             plan.shards.size());
}

namespace {

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
    for (auto i : retry)
        entries.push_back({plan.images[i].reference, plan.images[i].pull_count, plan.images[i].star_count, 0,
                           plan.images[i].listing});
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
    // The plan's cut size (version 1 plans recorded it as shard_bytes).
    const char* used = plan.format_version >= 2 ? "shard_bytes_used" : "shard_bytes";
    const auto shard_bytes = options.shard_bytes > 0 ? options.shard_bytes
                                                     : std::stoll(plan.parameters.count(used)
                                                                      ? plan.parameters.at(used)
                                                                      : std::to_string(int64_t{1} << 30));
    for (auto& shard : cut_shards(fresh, shard_bytes)) {
        shard.id += first_new;
        plan.shards.push_back(std::move(shard));
    }
    if (comm.is_root()) save_plan(plan, plan_path(options.work_dir));
    comm.barrier();
    return true;
}

// The command's plan parameters differ from the saved plan's (and no
// --accept-plan): every rank knows it, the command exits kExitPlanMismatch.
struct PlanMismatch {};
constexpr int kExitPlanMismatch = 2;

// A rerun on a saved plan: the command line must describe the same census, or
// say --accept-plan. `merge` gives no plan parameters and is not compared.
void check_plan_parameters(CensusPlan& plan, const CensusOptions& options, const RunLog& log) {
    if (options.images_path.empty()) return;
    if (plan.format_version < 2) {
        log.root("plan: made by an older regcensus, its parameters are not checked against this command");
        return;
    }
    const auto differences = plan_parameter_differences(plan.parameters, plan_parameters_of(options));
    if (differences.empty()) return;
    if (!options.accept_plan) {
        for (const auto& line : differences) log.root("%s", line.c_str());
        log.root("the plan of %s was made for another census: give its parameters, or --accept-plan to continue "
                 "with the plan as it is",
                 options.work_dir.c_str());
        throw PlanMismatch{};
    }
    std::string joined;
    for (const auto& line : differences) {
        log.root("warning: --accept-plan: %s; the plan's is used", line.c_str());
        joined += (joined.empty() ? "" : "; ") + line;
    }
    plan.accepted_differences = joined;
}

}  // namespace

// The plan of the work directory, made if there is none. A plan is never remade:
// reruns must see the same images and shards.
CensusPlan obtain_plan(const CensusOptions& options, const StoreFactory& stores, const mpi::Communicator& comm,
                       const RunLog& log, bool must_exist) {
    const auto path = plan_path(options.work_dir);
    if (std::filesystem::exists(path)) {
        log.root("plan: using the saved plan %s", path.c_str());
        CensusPlan plan;
        try {
            plan = load_plan(path);
        } catch (const std::exception& e) {
            throw std::runtime_error(std::string("cannot use the plan: ") + e.what());
        }
        check_plan_parameters(plan, options, log);
        // Array tasks (--shards) run concurrently: only a whole run may rewrite the plan.
        if (options.retry_failed && !options.shards) retry_failed_images(plan, options, stores, comm, log);
        return plan;
    }
    if (must_exist)
        throw std::runtime_error(options.work_dir + " is not a regcensus work directory (no plan.h5); run `regcensus plan` first");
    if (options.resume) log.root("--resume: %s holds no plan yet (the earlier run ended while planning): planning now",
                                 options.work_dir.c_str());
    // One clear line instead of a plan of failed rows when the URL is no registry.
    stores.check_registry_once(comm);
    return make_plan(options, stores, comm, log);
}

int64_t automatic_shard_bytes(int64_t total_compressed_bytes, int ranks) {
    const int64_t per_shard = total_compressed_bytes / (8 * std::max(1, ranks));
    return std::clamp<int64_t>(per_shard, int64_t{16} << 20, int64_t{1} << 30);
}

// obtain_plan for a command: 0 with `plan` set, or the exit code that ends the
// command instead (a stop signal while planning, a plan made for other parameters).
int obtain_plan_or_exit_code(CensusPlan& plan, const CensusOptions& options, const StoreFactory& stores,
                             const mpi::Communicator& comm, const RunLog& log, bool must_exist,
                             const char* after_stop) {
    try {
        plan = obtain_plan(options, stores, comm, log, must_exist);
        return 0;
    } catch (const PlanStopped&) {
        log.root("stopped by a signal while planning: no plan saved; %s", after_stop);
        return kExitIncomplete;
    } catch (const PlanMismatch&) {
        return kExitPlanMismatch;
    }
}

}  // namespace regcensus
