#include "regcensus/pipeline/layer_plan.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace regcensus {
LayerPlan plan_layers(const std::vector<ImageRecord>& images) {
    LayerPlan plan;
    std::unordered_map<std::string, std::size_t> first_seen;
    std::vector<PlannedLayer> unsorted;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const auto& image = images[i];
        std::unordered_set<std::string> counted;
        for (const auto& ref : image.layers) {
            auto [it, inserted] = first_seen.try_emplace(ref.digest, unsorted.size());
            if (inserted)
                unsorted.push_back({ref.digest, ref.media_type, image.repository, ref.size, 0,
                                    static_cast<int64_t>(i), ref.foreign});
            auto& layer = unsorted[it->second];
            if (counted.insert(ref.digest).second && ++layer.ref_count > 1) layer.sole_image = -1;
        }
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
