#include "corpus_plan.hpp"

#include <cstdio>

#include "regcensus/manifest/manifest.hpp"

namespace regcensus::synth {

namespace {

constexpr int64_t kEpoch2016 = 1451606400;  // 2016-01-01T00:00:00Z
constexpr int64_t kEightYears = 8 * 365 * 86400;

// Users, ports, entrypoints and labels in turn by image index, so that the
// random stream (and with it every layer) stays what it was before configs varied.
ConfigPlan config_plan(int i) {
    ConfigPlan config;
    switch (i % 4) {
        case 1: config.user = "app"; config.runs_as_root = false; break;
        case 2: config.user = "1000:1000"; config.runs_as_root = false; break;
        case 3: config.user = "0:0"; config.runs_as_root = true; break;
        default: break;  // unset: root
    }
    if (i % 3 == 0) config.ports = {"8080/tcp", "443/tcp"};
    if (i % 3 == 1) config.ports = {"53/udp"};
    if (i % 2 == 1) config.entrypoint = {"/docker-entrypoint.sh", "--"};
    config.label_count = 1 + i % 3;
    if (i % 4 == 0) config.docker_version = "20.10.7";
    if (i % 5 == 0) config.author = "synth <synth@example.invalid>";
    config.extra_history_step = i == 4;
    config.layer_interval = 3600 * (1 + i % 2);
    return config;
}

LayerRecipe base_layer(Distro distro) {
    switch (distro) {
        case Distro::debian:
            return {"base/debian", LayerKind::distro, distro, Compression::gzip, std::string(media_type::docker_layer_gzip),
                    "/bin/sh -c #(nop) ADD file:debian-rootfs.tar.xz in / "};
        case Distro::ubuntu:
            return {"base/ubuntu", LayerKind::distro, distro, Compression::gzip, std::string(media_type::docker_layer_gzip),
                    "/bin/sh -c #(nop) ADD file:ubuntu-rootfs.tar.gz in / "};
        case Distro::alpine:
            return {"base/alpine", LayerKind::distro, distro, Compression::gzip, std::string(media_type::oci_layer_gzip),
                    "ADD alpine-minirootfs-x86_64.tar.gz / # buildkit"};
        case Distro::alpine_arm64:
            return {"base/alpine-arm64", LayerKind::distro, distro, Compression::gzip,
                    std::string(media_type::oci_layer_gzip), "ADD alpine-minirootfs-aarch64.tar.gz / # buildkit"};
        case Distro::debian_arm64:
            return {"base/debian-arm64", LayerKind::distro, distro, Compression::gzip,
                    std::string(media_type::docker_layer_gzip), "/bin/sh -c #(nop) ADD file:debian-arm64-rootfs.tar.xz in / "};
    }
    return {};
}

LayerRecipe shared_layer(LayerKind kind) {
    switch (kind) {
        case LayerKind::python:
            return {"runtime/python", kind, Distro::debian, Compression::gzip, std::string(media_type::docker_layer_gzip),
                    "/bin/sh -c set -eux; ./configure --enable-shared && make install"};
        case LayerKind::node:
            return {"runtime/node", kind, Distro::debian, Compression::gzip, std::string(media_type::docker_layer_gzip),
                    "/bin/sh -c curl -fsSL node-v20-linux-x64.tar.xz | tar -xJ -C /usr/local --strip-components=1"};
        case LayerKind::jvm:
            return {"runtime/jvm", kind, Distro::debian, Compression::zstd, std::string(media_type::oci_layer_zstd),
                    "COPY /opt/java/openjdk /opt/java/openjdk # buildkit"};
        case LayerKind::perl_tools:
            return {"runtime/perl-tools", kind, Distro::debian, Compression::none, std::string(media_type::oci_layer_tar),
                    "RUN cpanm --notest App::Tools # buildkit"};
        case LayerKind::web_assets:
            return {"runtime/web-assets", kind, Distro::debian, Compression::gzip, std::string(media_type::oci_layer_gzip),
                    "COPY dist/ /srv/www/ # buildkit"};
        default:
            return {"empty", LayerKind::empty, Distro::debian, Compression::gzip, std::string(media_type::docker_layer_gzip),
                    "/bin/sh -c mkdir -p /var/run && true"};
    }
}

LayerRecipe own_layer(const std::string& image, std::string_view part, LayerKind kind, ManifestFormat format,
                      Random& random) {
    LayerRecipe recipe;
    recipe.name = image + "/" + std::string(part);
    recipe.kind = kind;
    if (format == ManifestFormat::docker) {
        recipe.compression = Compression::gzip;
        recipe.media_type = media_type::docker_layer_gzip;
    } else {
        switch (random.below(3)) {
            case 0: recipe.compression = Compression::gzip; recipe.media_type = media_type::oci_layer_gzip; break;
            case 1: recipe.compression = Compression::zstd; recipe.media_type = media_type::oci_layer_zstd; break;
            default: recipe.compression = Compression::none; recipe.media_type = media_type::oci_layer_tar; break;
        }
    }
    switch (kind) {
        case LayerKind::app: recipe.created_by = "COPY . /app # buildkit"; break;
        case LayerKind::dependencies: recipe.created_by = "RUN pip install -r requirements.txt # buildkit"; break;
        case LayerKind::cleanup: recipe.created_by = "RUN rm -rf /var/cache/* /etc/motd # buildkit"; break;
        case LayerKind::union_changes: recipe.created_by = "RUN /opt/union/change.sh # buildkit"; break;
        default: recipe.created_by = "COPY edge-cases/ /opt/ # buildkit"; break;
    }
    return recipe;
}

// The image's own layers, top of the stack, in build order.
std::vector<LayerKind> own_layer_kinds(int count, Random& random) {
    switch (count) {
        case 0: return {};
        case 1: return {LayerKind::app};
        case 2: return random.chance(1, 2) ? std::vector{LayerKind::app, LayerKind::cleanup}
                                           : std::vector{LayerKind::dependencies, LayerKind::app};
        default: return {LayerKind::dependencies, LayerKind::app, LayerKind::cleanup};
    }
}

}  // namespace

CorpusPlan plan_corpus(uint64_t seed, int image_count) {
    CorpusPlan plan;
    plan.list_break_before = static_cast<std::size_t>(image_count / 2);
    for (int i = 0; i < image_count; ++i) {
        Random random(derive_seed(seed, "image/" + std::to_string(i)));
        char repository[32];
        std::snprintf(repository, sizeof repository, "synth/app-%03d", i);
        ImagePlan image;
        image.repository = repository;
        image.tags = {"latest"};
        if (i == 0) image.tags.push_back("v1");  // a second tag for the same manifest

        // Eight roles in turn: mostly Docker schema 2, some OCI, one OCI index
        // and one Docker manifest list in every eight images.
        const int role = i % 8;
        const bool oci = role == 1 || role == 2 || role == 5;
        image.format = oci ? ManifestFormat::oci : ManifestFormat::docker;
        image.index = role == 1 ? IndexFormat::oci_index : role == 3 ? IndexFormat::docker_manifest_list : IndexFormat::none;
        const Distro distro = oci ? Distro::alpine : (role == 0 || role == 6) ? Distro::debian : Distro::ubuntu;

        PlatformPlan& amd64 = image.amd64;
        amd64.created = kEpoch2016 + static_cast<int64_t>(random.below(kEightYears));
        if (random.chance(1, 3)) amd64.created_nanos = 1 + static_cast<int64_t>(random.below(999999999));
        amd64.layers.push_back(base_layer(distro));
        amd64.config = config_plan(i);
        if (oci) {
            if (random.chance(1, 3)) amd64.layers.push_back(shared_layer(LayerKind::jvm));
            if (random.chance(1, 3)) amd64.layers.push_back(shared_layer(LayerKind::perl_tools));
            if (random.chance(1, 2) || role == 5) amd64.layers.push_back(shared_layer(LayerKind::web_assets));
        } else {
            const bool full = i == 6;  // one image with the maximum of six layers
            if (random.chance(1, 4) || full) amd64.layers.push_back(shared_layer(LayerKind::empty));
            if (random.chance(1, 2) || full) amd64.layers.push_back(shared_layer(LayerKind::python));
            if (random.chance(1, 3) || full) amd64.layers.push_back(shared_layer(LayerKind::node));
        }
        int own = static_cast<int>(random.between(0, 3));
        if (i == 6) own = 2;
        if (i == 0) own = std::max(own, 1);
        if (i == 2) {  // one image that is its base layer alone
            amd64.layers.resize(1);
            own = 0;
        }
        while (amd64.layers.size() + static_cast<std::size_t>(own) + (i == 0 ? 1 : 0) > 6) amd64.layers.pop_back();
        if (i == 0) amd64.layers.push_back(own_layer(image.repository, "edge-cases", LayerKind::edge_cases, image.format, random));
        int part = 0;
        for (LayerKind kind : own_layer_kinds(own, random))
            amd64.layers.push_back(own_layer(image.repository, "layer-" + std::to_string(part++), kind, image.format, random));
        if (role == 4) {
            // The union view's cases (docs/synth.md): a shared set-up layer and the image's own changes on top.
            while (amd64.layers.size() > 4) amd64.layers.pop_back();
            amd64.layers.push_back({"union/setup", LayerKind::union_setup, Distro::debian, Compression::gzip,
                                    std::string(media_type::docker_layer_gzip), "COPY union/ /opt/union/ # buildkit"});
            amd64.layers.push_back(own_layer(image.repository, "union-changes", LayerKind::union_changes, image.format, random));
        }

        if (image.index != IndexFormat::none) {
            PlatformPlan arm64;
            arm64.architecture = "arm64";
            arm64.variant = "v8";
            arm64.created = amd64.created + 600;
            arm64.config = amd64.config;
            arm64.layers.push_back(base_layer(oci ? Distro::alpine_arm64 : Distro::debian_arm64));
            // The web assets are architecture-independent: shared with amd64 images.
            if (oci) arm64.layers.push_back(shared_layer(LayerKind::web_assets));
            arm64.layers.push_back(own_layer(image.repository, "arm64-app", LayerKind::app, image.format, random));
            image.arm64 = std::move(arm64);
        }
        image.pull_count = random.log_size(12, 3);
        image.star_count = image.pull_count / (50 + static_cast<int64_t>(random.below(500)));
        plan.images.push_back(std::move(image));
    }
    return plan;
}

}  // namespace regcensus::synth
