#include "regcensus/union/union_phase.hpp"

#include <algorithm>
#include <list>
#include <stdexcept>
#include <unordered_map>

#include "regcensus/workdir/shard_file.hpp"
#include "regcensus/util/binary_codec.hpp"

namespace regcensus {
namespace {

// Where each layer row's entry table lives: the shard file and the layer's position in it.
struct LayerLocation {
    std::size_t shard = 0;
    std::size_t position = 0;
};

// Entry tables of the layers a rank walks, least recently used dropped first,
// so that a layer stacked on many bases is read from its shard once while the
// budget allows, and memory stays within it whatever the census.
class EntryCache {
public:
    EntryCache(const CensusPlan& plan, const LayerPlan& layers, const std::string& work_dir, std::size_t budget)
        : budget_(budget) {
        std::unordered_map<std::string, uint32_t> row_of;
        for (std::size_t i = 0; i < layers.layers.size(); ++i) row_of[layers.layers[i].digest] = static_cast<uint32_t>(i);
        locations_.resize(layers.layers.size());
        for (std::size_t s = 0; s < plan.shards.size(); ++s) {
            shard_paths_.push_back(shard_path(work_dir, plan.shards[s].id));
            shard_offsets_.emplace_back();
            for (std::size_t p = 0; p < plan.shards[s].digests.size(); ++p)
                locations_.at(row_of.at(plan.shards[s].digests[p])) = {s, p};
        }
    }

    const std::vector<EntryRecord>& get(uint32_t row) {
        if (const auto found = cached_.find(row); found != cached_.end()) {
            order_.splice(order_.begin(), order_, found->second.use);
            return found->second.entries;
        }
        const LayerLocation& at = locations_.at(row);
        Cached item;
        auto& offsets = shard_offsets_.at(at.shard);
        // Read once per shard: re-reading them per layer would grow with the shard's layer count.
        if (offsets.empty()) offsets = read_shard_entry_offsets(shard_paths_.at(at.shard));
        item.entries = read_shard_layer_entries(shard_paths_.at(at.shard), at.position, offsets);
        for (const auto& e : item.entries) item.bytes += sizeof(EntryRecord) + e.path.size() + e.link_target.size();
        order_.push_front(row);
        item.use = order_.begin();
        used_ += item.bytes;
        auto& stored = cached_.emplace(row, std::move(item)).first->second;
        // Never the table just read: the caller is about to apply it.
        while (used_ > budget_ && order_.size() > 1) {
            const uint32_t oldest = order_.back();
            order_.pop_back();
            used_ -= cached_.at(oldest).bytes;
            cached_.erase(oldest);
        }
        max_used_ = std::max(max_used_, used_);
        return stored.entries;
    }

    // The most the cache held after an eviction (the table in use may exceed the budget alone).
    std::size_t max_used() const { return max_used_; }

private:
    struct Cached {
        std::vector<EntryRecord> entries;
        std::size_t bytes = 0;
        std::list<uint32_t>::iterator use;
    };
    std::size_t budget_;
    std::size_t used_ = 0, max_used_ = 0;
    std::vector<std::string> shard_paths_;
    std::vector<std::vector<int64_t>> shard_offsets_;  // entry-table offsets per shard, read on first use
    std::vector<LayerLocation> locations_;
    std::unordered_map<uint32_t, Cached> cached_;
    std::list<uint32_t> order_;  // most recently used first
};

// The prefix tree of the images' layer lists. Node 0 is the empty chain; every
// other node is a chain ending in `layer`, its images those whose whole list it is.
struct ChainTree {
    struct Node {
        uint32_t layer = 0;
        int32_t parent = -1;
        std::vector<int32_t> children;  // by layer row
        std::vector<int64_t> images;    // image rows, in list order
        int64_t edge_weight = 0;        // entries of `layer` (at least 1)
        int64_t subtree_weight = 0;     // edges below and including this one
        int64_t prefix_weight = 0;      // edges from the root to the parent
    };
    std::vector<Node> nodes;

    std::vector<int32_t> chain_to(int32_t node) const {
        std::vector<int32_t> chain;
        for (int32_t n = node; n > 0; n = nodes[static_cast<std::size_t>(n)].parent) chain.push_back(n);
        std::reverse(chain.begin(), chain.end());
        return chain;
    }
};

ChainTree build_tree(const LayerPlan& layers, const std::vector<bool>& eligible, const std::vector<int64_t>& weights) {
    ChainTree tree;
    tree.nodes.emplace_back();
    std::unordered_map<uint64_t, int32_t> child_of;  // (parent << 32 | layer) -> node
    for (std::size_t image = 0; image < eligible.size(); ++image) {
        if (!eligible[image]) continue;
        int32_t node = 0;
        for (auto i = layers.image_layer_offsets[image]; i < layers.image_layer_offsets[image + 1]; ++i) {
            const auto layer = static_cast<uint32_t>(layers.image_layer_rows[static_cast<std::size_t>(i)]);
            const uint64_t key = (static_cast<uint64_t>(node) << 32) | layer;
            auto [found, added] = child_of.emplace(key, static_cast<int32_t>(tree.nodes.size()));
            if (added) {
                ChainTree::Node child;
                child.layer = layer;
                child.parent = node;
                child.edge_weight = std::max<int64_t>(1, weights[layer]);
                child.prefix_weight = tree.nodes[static_cast<std::size_t>(node)].prefix_weight +
                                      (node == 0 ? 0 : tree.nodes[static_cast<std::size_t>(node)].edge_weight);
                tree.nodes[static_cast<std::size_t>(node)].children.push_back(found->second);
                tree.nodes.push_back(std::move(child));
            }
            node = found->second;
        }
        tree.nodes[static_cast<std::size_t>(node)].images.push_back(static_cast<int64_t>(image));
    }
    // Children are created after their parents: one reverse pass sums the subtrees.
    for (std::size_t n = tree.nodes.size(); n-- > 0;) {
        auto& node = tree.nodes[n];
        std::sort(node.children.begin(), node.children.end(), [&](int32_t a, int32_t b) {
            return tree.nodes[static_cast<std::size_t>(a)].layer < tree.nodes[static_cast<std::size_t>(b)].layer;
        });
        node.subtree_weight += node.edge_weight;
        if (n > 0) tree.nodes[static_cast<std::size_t>(node.parent)].subtree_weight += node.subtree_weight;
    }
    return tree;
}

// A subtree to walk (whole) or one chain alone (its images only, when its
// subtree was split among its children).
struct Task {
    int32_t node = 0;
    bool whole = true;
    int64_t cost(const ChainTree& tree) const {
        const auto& n = tree.nodes[static_cast<std::size_t>(node)];
        return n.prefix_weight + (whole ? n.subtree_weight : n.edge_weight);
    }
};

// Splits the heaviest subtrees until none is over a quarter of a rank's share
// (or there are 64 tasks per rank), then deals the tasks out largest first to
// the least loaded rank. Depends on the tree and the rank count only.
std::vector<Task> my_tasks(const ChainTree& tree, int ranks, int rank, std::size_t* total_tasks) {
    std::vector<Task> tasks;
    for (int32_t child : tree.nodes[0].children) tasks.push_back({child, true});
    if (ranks > 1) {
        const int64_t target = std::max<int64_t>(1, tree.nodes[0].subtree_weight / (4 * ranks));
        while (tasks.size() < static_cast<std::size_t>(64 * ranks)) {
            std::size_t heaviest = tasks.size();
            for (std::size_t t = 0; t < tasks.size(); ++t) {
                const auto& n = tree.nodes[static_cast<std::size_t>(tasks[t].node)];
                if (!tasks[t].whole || n.children.empty() || n.subtree_weight <= target) continue;
                if (heaviest == tasks.size() || n.subtree_weight > tree.nodes[static_cast<std::size_t>(tasks[heaviest].node)].subtree_weight)
                    heaviest = t;
            }
            if (heaviest == tasks.size()) break;
            const int32_t split = tasks[heaviest].node;
            tasks.erase(tasks.begin() + static_cast<std::ptrdiff_t>(heaviest));
            if (!tree.nodes[static_cast<std::size_t>(split)].images.empty()) tasks.push_back({split, false});
            for (int32_t child : tree.nodes[static_cast<std::size_t>(split)].children) tasks.push_back({child, true});
        }
    }
    std::stable_sort(tasks.begin(), tasks.end(), [&](const Task& a, const Task& b) {
        const auto ca = a.cost(tree), cb = b.cost(tree);
        return ca != cb ? ca > cb : a.node != b.node ? a.node < b.node : a.whole < b.whole;
    });
    std::vector<int64_t> load(static_cast<std::size_t>(ranks), 0);
    std::vector<Task> mine;
    for (const auto& task : tasks) {
        const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
        load[least] += task.cost(tree);
        if (static_cast<int>(least) == rank) mine.push_back(task);
    }
    if (total_tasks) *total_tasks = tasks.size();
    return mine;
}

void put_figures(ByteWriter& out, int64_t image, const UnionFigures& f) {
    out.put(image);
    for (int64_t v : {f.file_count, f.file_bytes, f.dir_count, f.max_depth, f.symlink_count, f.overwritten_file_count,
                      f.overwritten_bytes, f.deleted_file_count, f.deleted_bytes, f.duplicate_file_count,
                      f.duplicate_bytes})
        out.put(v);
    out.put<uint64_t>(f.layer_changes.size());
    for (const auto& c : f.layer_changes)
        for (int64_t v : {c.overwritten_file_count, c.overwritten_bytes, c.deleted_file_count, c.deleted_bytes}) out.put(v);
}

UnionFigures get_figures(ByteReader& in) {
    UnionFigures f;
    for (int64_t* v : {&f.file_count, &f.file_bytes, &f.dir_count, &f.max_depth, &f.symlink_count,
                       &f.overwritten_file_count, &f.overwritten_bytes, &f.deleted_file_count, &f.deleted_bytes,
                       &f.duplicate_file_count, &f.duplicate_bytes})
        *v = in.get<int64_t>();
    f.layer_changes.resize(in.get<uint64_t>());
    for (auto& c : f.layer_changes)
        for (int64_t* v : {&c.overwritten_file_count, &c.overwritten_bytes, &c.deleted_file_count, &c.deleted_bytes})
            *v = in.get<int64_t>();
    return f;
}

class TaskWalker {
public:
    TaskWalker(const ChainTree& tree, EntryCache& cache, ByteWriter& out, UnionPhaseStats& stats)
        : tree_(tree), cache_(cache), out_(out), stats_(stats) {}

    void run(const Task& task) {
        UnionView view;
        changes_.clear();
        const auto chain = tree_.chain_to(task.node);
        for (std::size_t i = 0; i + 1 < chain.size(); ++i) apply(view, chain[i]);
        if (!task.whole) {
            apply(view, task.node);
            record(view, task.node);
            return;
        }
        // Depth first: apply on the way down, undo on the way up.
        struct Frame {
            int32_t node;
            UnionView::Mark mark;
            bool entered;
        };
        std::vector<Frame> stack{{task.node, {}, false}};
        while (!stack.empty()) {
            if (stack.back().entered) {
                view.undo_to(stack.back().mark);
                changes_.pop_back();
                stack.pop_back();
                continue;
            }
            const int32_t node = stack.back().node;
            stack.back().entered = true;
            stack.back().mark = view.mark();
            apply(view, node);
            record(view, node);
            const auto& children = tree_.nodes[static_cast<std::size_t>(node)].children;
            for (auto child = children.rbegin(); child != children.rend(); ++child) stack.push_back({*child, {}, false});
        }
    }

private:
    // Applies the node's layer and notes what it removed (changes_ follows the chain).
    void apply(UnionView& view, int32_t node) {
        const auto before = view.mark();
        view.apply(cache_.get(tree_.nodes[static_cast<std::size_t>(node)].layer));
        const auto after = view.mark();
        changes_.push_back({after.overwritten_file_count - before.overwritten_file_count,
                            after.overwritten_bytes - before.overwritten_bytes,
                            after.deleted_file_count - before.deleted_file_count,
                            after.deleted_bytes - before.deleted_bytes});
        ++stats_.layers_applied;
        stats_.max_view_paths = std::max(stats_.max_view_paths, view.size());
        stats_.max_undo_records = std::max(stats_.max_undo_records, view.undo_records());
    }
    void record(const UnionView& view, int32_t node) {
        const auto& images = tree_.nodes[static_cast<std::size_t>(node)].images;
        if (images.empty()) return;
        UnionFigures figures = view.figures();
        figures.layer_changes = changes_;
        for (const int64_t image : images) put_figures(out_, image, figures);
    }

    const ChainTree& tree_;
    std::vector<LayerChange> changes_;  // one per layer of the chain applied so far
    EntryCache& cache_;
    ByteWriter& out_;
    UnionPhaseStats& stats_;
};

}  // namespace

std::vector<std::optional<UnionFigures>> compute_union_views(const CensusPlan& plan, const LayerPlan& layers,
                                                             const std::vector<LayerProfile>& profiles,
                                                             const std::string& work_dir, std::size_t cache_bytes,
                                                             const mpi::Communicator& comm, UnionPhaseStats* stats) {
    // Which layers analysed ok, and their entry counts (the walk's cost), from rank 0.
    ByteWriter known;
    if (comm.is_root()) {
        std::vector<uint8_t> ok;
        std::vector<int64_t> weights;
        for (const auto& p : profiles) {
            ok.push_back(p.ok() ? 1 : 0);
            weights.push_back(p.ok() ? p.file_count + p.dir_count + p.symlink_count + p.hardlink_count +
                                           p.other_count + p.whiteout_count + p.opaque_count
                                     : 0);
        }
        known.put_vector(ok);
        known.put_vector(weights);
    }
    const auto shared = comm.broadcast(std::move(known.bytes()));
    ByteReader in(shared);
    const auto layer_ok = in.get_vector<uint8_t>();
    const auto weights = in.get_vector<int64_t>();
    if (layer_ok.size() != layers.layers.size()) throw std::logic_error("union view: layer statuses do not match the plan");

    std::vector<bool> eligible(plan.images.size(), false);
    for (std::size_t image = 0; image < plan.images.size(); ++image) {
        if (!plan.images[image].ok()) continue;
        bool all_ok = true;
        for (auto i = layers.image_layer_offsets[image]; i < layers.image_layer_offsets[image + 1]; ++i)
            all_ok = all_ok && layer_ok[static_cast<std::size_t>(layers.image_layer_rows[static_cast<std::size_t>(i)])];
        eligible[image] = all_ok;
    }
    const ChainTree tree = build_tree(layers, eligible, weights);
    UnionPhaseStats local;
    local.tree_nodes = tree.nodes.size() - 1;
    const auto tasks = my_tasks(tree, comm.size(), comm.rank(), &local.tasks);

    ByteWriter out;
    if (comm.is_root())  // images with no layer at all: the empty view
        for (const int64_t image : tree.nodes[0].images) put_figures(out, image, UnionFigures{});
    EntryCache cache(plan, layers, work_dir, cache_bytes);
    TaskWalker walker(tree, cache, out, local);
    for (const auto& task : tasks) walker.run(task);
    local.max_cache_bytes = cache.max_used();
    if (stats) *stats = local;

    std::vector<std::optional<UnionFigures>> figures(comm.is_root() ? plan.images.size() : 0);
    for (const auto& part : comm.gather(out.bytes())) {
        ByteReader records(part);
        while (!records.done()) {
            const auto image = records.get<int64_t>();
            figures.at(static_cast<std::size_t>(image)) = get_figures(records);
        }
    }
    return figures;
}

}  // namespace regcensus
