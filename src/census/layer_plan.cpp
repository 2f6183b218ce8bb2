#include "regcensus/census/layer_plan.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace regcensus {
namespace {

// What the images listing one layer declare about it, to be settled by vote:
// one image cannot decide for the others.
struct Declarations {
    std::map<int64_t, int64_t> sizes;            // size -> images declaring it
    std::map<std::string, int64_t> media_types;  // media type -> images declaring it
    bool all_foreign = true;
};

// The value most images declare; ties go to the smallest (map order).
template <typename Key>
Key most_declared(const std::map<Key, int64_t>& votes) {
    auto best = votes.begin();
    for (auto it = votes.begin(); it != votes.end(); ++it)
        if (it->second > best->second) best = it;
    return best->first;
}

}  // namespace

LayerPlan plan_layers(const std::vector<ImageRecord>& images) {
    LayerPlan plan;
    std::unordered_map<std::string, std::size_t> first_seen;
    std::vector<PlannedLayer> unsorted;
    std::vector<Declarations> declared;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const auto& image = images[i];
        std::unordered_set<std::string> counted;
        for (const auto& ref : image.layers) {
            auto [it, inserted] = first_seen.try_emplace(ref.digest, unsorted.size());
            if (inserted) {
                unsorted.push_back({ref.digest, ref.media_type, image.repository, {}, ref.size, -1, 0,
                                    static_cast<int64_t>(i), ref.foreign});
                declared.emplace_back();
            }
            auto& layer = unsorted[it->second];
            if (counted.insert(ref.digest).second) {
                // Tags of one manifest are one image for sharing (docs/union-view.md, "Sharing").
                if (++layer.ref_count > 1 && layer.sole_image >= 0 &&
                    images[static_cast<std::size_t>(layer.sole_image)].manifest_digest != image.manifest_digest)
                    layer.sole_image = -1;
                auto& votes = declared[it->second];
                ++votes.sizes[ref.size];
                ++votes.media_types[ref.media_type];
                votes.all_foreign = votes.all_foreign && ref.foreign;
                auto& others = layer.other_repositories;
                if (image.repository != layer.repository &&
                    std::find(others.begin(), others.end(), image.repository) == others.end())
                    others.push_back(image.repository);
            }
        }
    }
    for (std::size_t k = 0; k < unsorted.size(); ++k) {
        unsorted[k].size = most_declared(declared[k].sizes);
        unsorted[k].largest_declared_size = std::max<int64_t>(declared[k].sizes.rbegin()->first, -1);
        unsorted[k].media_type = most_declared(declared[k].media_types);
        // One image calling a shared layer foreign must not keep it from the others.
        unsorted[k].foreign = declared[k].all_foreign;
    }
    plan.layers = std::move(unsorted);
    std::sort(plan.layers.begin(), plan.layers.end(),
              [](const PlannedLayer& a, const PlannedLayer& b) { return a.digest < b.digest; });
    std::unordered_map<std::string, int64_t> row_of;
    for (std::size_t i = 0; i < plan.layers.size(); ++i) row_of[plan.layers[i].digest] = static_cast<int64_t>(i);

    plan.image_layer_offsets.reserve(images.size() + 1);
    plan.image_layer_offsets.push_back(0);
    for (const auto& image : images) {
        for (const auto& ref : image.layers) plan.image_layer_rows.push_back(row_of.at(ref.digest));
        plan.image_layer_offsets.push_back(static_cast<int64_t>(plan.image_layer_rows.size()));
    }
    return plan;
}

}  // namespace regcensus
