#include "regcensus/census/image_environment.hpp"

namespace regcensus {

void pair_history(ImageEnvironment& environment, std::size_t layer_count) {
    auto& history = environment.config.history;
    environment.history_count = int64_t(history.size());
    environment.empty_layer_count = 0;
    std::vector<const HistoryStep*> producing;
    for (const auto& step : history) {
        if (step.empty_layer)
            ++environment.empty_layer_count;
        else
            producing.push_back(&step);
    }
    // Docker and BuildKit write one non-empty step per layer; anything else
    // (no history, squashed or hand-made configs) cannot be paired honestly.
    environment.history_mismatch = producing.size() == layer_count ? 0 : 1;
    environment.layers.assign(layer_count, LayerHistory{});
    if (environment.history_mismatch == 0)
        for (std::size_t i = 0; i < layer_count; ++i)
            environment.layers[i] = {producing[i]->created, producing[i]->created_by};
    history.clear();
}

void encode(ByteWriter& out, const ImageEnvironment& e) {
    out.put(e.known);
    const auto& c = e.config;
    for (const auto* s : {&c.os, &c.architecture, &c.variant, &c.user, &c.exposed_ports, &c.entrypoint, &c.cmd,
                          &c.workdir, &c.docker_version, &c.author, &e.config_media_type})
        out.put_string(*s);
    for (int64_t v : {c.env_count, c.label_count, e.history_count, e.empty_layer_count, e.config_bytes,
                      e.manifest_bytes, e.history_mismatch})
        out.put(v);
    out.put<uint64_t>(e.layers.size());
    for (const auto& layer : e.layers) {
        out.put(layer.created);
        out.put_string(layer.created_by);
    }
}

ImageEnvironment decode_image_environment(ByteReader& in) {
    ImageEnvironment e;
    e.known = in.get<bool>();
    auto& c = e.config;
    for (auto* s : {&c.os, &c.architecture, &c.variant, &c.user, &c.exposed_ports, &c.entrypoint, &c.cmd, &c.workdir,
                    &c.docker_version, &c.author, &e.config_media_type})
        *s = in.get_string();
    for (auto* v : {&c.env_count, &c.label_count, &e.history_count, &e.empty_layer_count, &e.config_bytes,
                    &e.manifest_bytes, &e.history_mismatch})
        *v = in.get<int64_t>();
    e.layers.resize(in.get<uint64_t>());
    for (auto& layer : e.layers) {
        layer.created = in.get<int64_t>();
        layer.created_by = in.get_string();
    }
    return e;
}

}  // namespace regcensus
