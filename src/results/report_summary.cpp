#include "regcensus/results/report_summary.hpp"

#include <algorithm>
#include <map>

#include "regcensus/results/report_extras.hpp"

namespace regcensus {
namespace {

// Rank of the p-th nearest-rank percentile of n values (1-based): ceil(p*n/100), at least 1.
// Integer arithmetic, so that Python's summary.py picks the same row.
int64_t nearest_rank(int64_t n, int p) { return std::max<int64_t>((p * n + 99) / 100, 1); }

template <typename T>
Distribution distribution(std::string name, std::string label, std::string units, std::vector<T> values) {
    std::sort(values.begin(), values.end());
    Distribution d{std::move(name), std::move(label), std::move(units), static_cast<int64_t>(values.size()), {}};
    for (int p : kPercentiles) {
        if (values.empty())
            d.percentiles.emplace_back();
        else
            d.percentiles.emplace_back(Number(values[nearest_rank(d.n, p) - 1]));
    }
    return d;
}

// Percentiles of `values[i]` repeated `weights[i]` times; `values` ascending.
Distribution weighted(std::string name, std::string label, std::string units, const std::vector<int64_t>& values,
                      const std::vector<int64_t>& weights) {
    Distribution d{std::move(name), std::move(label), std::move(units), 0, {}};
    for (auto w : weights) d.n += w;
    for (int p : kPercentiles) {
        if (d.n == 0) {
            d.percentiles.emplace_back();
            continue;
        }
        const int64_t rank = nearest_rank(d.n, p);
        int64_t cumulative = 0;
        for (std::size_t i = 0; i < values.size(); ++i) {
            cumulative += weights[i];
            if (cumulative >= rank) {
                d.percentiles.emplace_back(Number(values[i]));
                break;
            }
        }
    }
    return d;
}

// A table's int64 columns and its status column.
struct Table {
    std::vector<std::string> status;
    std::map<std::string, std::vector<int64_t>> columns;
    const h5::Location* group;
    bool ok(std::size_t row) const { return status[row] == "ok"; }
    const std::vector<int64_t>& operator[](const std::string& name) {
        auto it = columns.find(name);
        if (it == columns.end()) it = columns.emplace(name, group->read_int64(name)).first;
        return it->second;
    }
    // Values of rows with status ok and a known (>= 0) value.
    std::vector<int64_t> ok_values(const std::string& name) {
        const auto& values = (*this)[name];
        std::vector<int64_t> out;
        for (std::size_t i = 0; i < values.size(); ++i)
            if (ok(i) && values[i] >= 0) out.push_back(values[i]);
        return out;
    }
    // uncompressed / compressed of rows with status ok, compressed > 0 and uncompressed known.
    std::vector<double> ok_ratios() {
        const auto& comp = (*this)["compressed_bytes"];
        const auto& unc = (*this)["uncompressed_bytes"];
        std::vector<double> out;
        for (std::size_t i = 0; i < comp.size(); ++i)
            if (ok(i) && comp[i] > 0 && unc[i] >= 0) out.push_back(double(unc[i]) / double(comp[i]));
        return out;
    }
};

// The union view (format version 2): its distributions and the share of
// images below each efficiency threshold, as summary.py computes them.
void summarize_union(Summary& s, Table& images, const h5::Location& images_group) {
    auto& d = s.distributions;
    d.push_back(distribution("image_union_file_count", "files per image, union view", "files", images.ok_values("union_file_count")));
    d.push_back(distribution("image_union_file_bytes", "file bytes per image, union view", "bytes", images.ok_values("union_file_bytes")));
    d.push_back(distribution("image_wasted_bytes", "wasted bytes per image", "bytes", images.ok_values("wasted_bytes")));
    const auto efficiency = images_group.read_float64("efficiency");
    std::vector<double> known;
    for (std::size_t i = 0; i < efficiency.size(); ++i)
        if (images.ok(i) && efficiency[i] >= 0) known.push_back(efficiency[i]);  // NaN fails >= 0
    d.push_back(distribution("image_efficiency", "efficiency per image", "fraction", known));
    s.union_images = static_cast<int64_t>(known.size());
    for (const double threshold : kEfficiencyThresholds) {
        const auto below = std::count_if(known.begin(), known.end(), [&](double e) { return e < threshold; });
        s.union_below.push_back(share(below, s.union_images));
    }
}

// Sums the categories' amounts per family (file_type_families), ranked largest
// first; ties keep the order in which the families first appear.
std::vector<TypeRow> rank_families(const std::vector<std::string>& families, const std::vector<int64_t>& amounts) {
    std::vector<TypeRow> rows;
    int64_t total = 0;
    for (std::size_t i = 0; i < amounts.size(); ++i) {
        const std::string& family = families[i];
        auto row = std::find_if(rows.begin(), rows.end(), [&](const TypeRow& r) { return r.type == family; });
        if (row == rows.end()) row = rows.insert(rows.end(), TypeRow{family, 0, 0.0});
        row->amount += amounts[i];
        total += amounts[i];
    }
    std::erase_if(rows, [](const TypeRow& r) { return r.amount == 0; });
    std::stable_sort(rows.begin(), rows.end(), [](const TypeRow& a, const TypeRow& b) { return a.amount > b.amount; });
    for (auto& r : rows) r.share = total == 0 ? 0.0 : double(r.amount) / double(total);
    return rows;
}

}  // namespace

double share(int64_t part, int64_t whole) { return whole > 0 ? double(part) / double(whole) : 0.0; }

Summary summarize(const h5::File& file) {
    Summary s;
    auto images_group = file.open_group("images");
    auto layers_group = file.open_group("layers");
    Table images{images_group.read_strings("status"), {}, &images_group};
    Table layers{layers_group.read_strings("status"), {}, &layers_group};
    s.images_listed = static_cast<int64_t>(images.status.size());
    s.layers_distinct = static_cast<int64_t>(layers.status.size());
    s.images_ok = std::count(images.status.begin(), images.status.end(), "ok");
    s.layers_ok = std::count(layers.status.begin(), layers.status.end(), "ok");

    // The order of summary.py's ORDER.
    auto& d = s.distributions;
    d.push_back(distribution("image_compressed_bytes", "image size, compressed", "bytes", images.ok_values("compressed_bytes")));
    d.push_back(distribution("image_uncompressed_bytes", "image size, uncompressed", "bytes", images.ok_values("uncompressed_bytes")));
    d.push_back(distribution("image_pull_count", "image popularity (pull count)", "pulls", images.ok_values("pull_count")));
    d.push_back(distribution("image_layer_count", "layers per image", "layers", images.ok_values("layer_count")));
    d.push_back(distribution("layer_ref_count", "images per layer (sharing)", "images", layers.ok_values("ref_count")));
    d.push_back(distribution("image_file_count", "files per image", "files", images.ok_values("file_count")));
    d.push_back(distribution("image_compression_ratio", "compression ratio per image", "ratio", images.ok_ratios()));
    if (images_group.has("shared_file_fraction")) {
        auto fraction = images_group.read_float64("shared_file_fraction");
        std::vector<double> known;
        for (std::size_t i = 0; i < fraction.size(); ++i)
            if (images.ok(i) && fraction[i] >= 0) known.push_back(fraction[i]);  // NaN fails >= 0
        d.push_back(distribution("image_shared_file_fraction", "shared-file fraction per image", "fraction", known));
    }
    d.push_back(distribution("layer_compressed_bytes", "layer size, compressed", "bytes", layers.ok_values("compressed_bytes")));
    d.push_back(distribution("layer_uncompressed_bytes", "layer size, uncompressed", "bytes", layers.ok_values("uncompressed_bytes")));
    d.push_back(distribution("layer_file_count", "files per layer", "files", layers.ok_values("file_count")));
    d.push_back(distribution("layer_dir_count", "directories per layer", "directories", layers.ok_values("dir_count")));
    d.push_back(distribution("layer_max_depth", "directory depth per layer (deepest)", "levels", layers.ok_values("max_depth")));

    auto dedup = file.open_group("dedup");
    auto copies_group = dedup.open_group("copies");
    auto copies = copies_group.read_int64("copies");
    auto contents = copies_group.read_int64("contents");
    std::vector<std::size_t> order(copies.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return copies[a] < copies[b]; });
    std::vector<int64_t> sorted_copies, sorted_contents;
    for (auto i : order) {
        sorted_copies.push_back(copies[i]);
        sorted_contents.push_back(contents[i]);
    }
    d.push_back(weighted("content_copies", "copies per distinct content", "copies", sorted_copies, sorted_contents));
    auto file_size = file.open_group("histograms").open_group("file_size");
    d.push_back(weighted("file_size", "file size (power-of-two bin)", "bytes", file_size.read_int64("lower"),
                         file_size.read_int64("counts")));
    d.push_back(distribution("layer_compression_ratio", "compression ratio per layer", "ratio", layers.ok_ratios()));
    if (layers_group.has("mtime_max"))
        d.push_back(distribution("layer_mtime_max", "layer age (newest file mtime)", "unix seconds", layers.ok_values("mtime_max")));
    for (auto& extra : layer_age_distributions(file))
        d.push_back(distribution(extra.name, extra.label, "days", std::move(extra.values)));
    if (images_group.has("efficiency")) summarize_union(s, images, images_group);

    for (auto v : layers.ok_values("compressed_bytes")) s.layer_compressed += v;
    for (auto v : layers.ok_values("uncompressed_bytes")) s.layer_uncompressed += v;

    s.file_count = dedup.int64_attribute("file_count");
    s.file_bytes = dedup.int64_attribute("file_bytes");
    s.unique_count = dedup.int64_attribute("unique_file_count");
    s.unique_bytes = dedup.int64_attribute("unique_bytes");

    auto types = file.open_group("filetypes");
    auto names = types.read_strings("type");
    for (auto [column, out] : {std::pair{"file_count", &s.by_count}, std::pair{"file_bytes", &s.by_bytes}}) {
        auto amounts = types.read_int64(column);
        int64_t total = 0;
        for (auto a : amounts) total += a;
        std::vector<std::size_t> ranked(amounts.size());
        for (std::size_t i = 0; i < ranked.size(); ++i) ranked[i] = i;
        // Largest first; ties keep the file's row order (the FileType order), as summary.py.
        std::stable_sort(ranked.begin(), ranked.end(), [&](auto a, auto b) { return amounts[a] > amounts[b]; });
        for (std::size_t k = 0; k < std::min(kTopTypes, ranked.size()); ++k)
            if (amounts[ranked[k]] > 0) out->push_back({names[ranked[k]], amounts[ranked[k]], share(amounts[ranked[k]], total)});
    }
    const auto families = file_type_families(types);
    s.family_by_count = rank_families(families, types.read_int64("file_count"));
    s.family_by_bytes = rank_families(families, types.read_int64("file_bytes"));
    return s;
}

}  // namespace regcensus
