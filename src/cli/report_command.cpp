// `regcensus report RESULTS [--json]`: the headline numbers of a census in the terminal.
// The numbers and their definitions are those of analysis/summary.py (docs/report.md):
// nearest-rank percentiles over the rows whose status is ok; `--json` prints the same
// object summary.py --json prints, so that the two can be compared number for number.
#include <hdf5.h>

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "regcensus/cli/commands.hpp"
#include "regcensus/results/image_report.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/results/failure_output.hpp"
#include "regcensus/results/report_extras.hpp"
#include "regcensus/results/storage_report.hpp"
#include "regcensus/h5/h5_location.hpp"

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

constexpr int kPercentiles[] = {50, 90};
constexpr std::size_t kTopTypes = 5;
constexpr double kEfficiencyThresholds[] = {0.9, 0.95};  // summary.py's EFFICIENCY_THRESHOLDS

using Number = std::variant<int64_t, double>;

// One distribution: how many values, and its percentiles (absent when there are no values).
struct Distribution {
    std::string name, label, units;
    int64_t n = 0;
    std::vector<std::optional<Number>> percentiles;  // one per kPercentiles
};

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

// A float64 column (e.g. /images/shared_file_fraction); the h5 layer only reads int64 and strings.
std::vector<double> read_float64(const h5::Location& group, const std::string& name) {
    hid_t dataset = H5Dopen2(group.id(), name.c_str(), H5P_DEFAULT);
    if (dataset < 0) throw std::runtime_error("cannot open dataset " + name);
    hid_t space = H5Dget_space(dataset);
    std::vector<double> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
    herr_t status = values.empty() ? 0 : H5Dread(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
    H5Sclose(space);
    H5Dclose(dataset);
    if (status < 0) throw std::runtime_error("cannot read dataset " + name);
    return values;
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

double share(int64_t part, int64_t whole) { return whole > 0 ? double(part) / double(whole) : 0.0; }

// Shortest text that reads back as the same double: what Python's json module writes.
std::string json_number(const Number& n) {
    if (auto i = std::get_if<int64_t>(&n)) return std::to_string(*i);
    char text[64];
    auto result = std::to_chars(text, text + sizeof text, std::get<double>(n));
    std::string out(text, result.ptr);
    if (out.find_first_of(".e") == std::string::npos) out += ".0";
    return out;
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
        } else if (c < 0x20) {
            char esc[8];
            std::snprintf(esc, sizeof esc, "\\u%04x", c);
            out += esc;
        } else {
            out += char(c);
        }
    }
    return out + "\"";
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (std::abs(bytes) >= 1000 && u < 5) {
        bytes /= 1000;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
    return text;
}

std::string grouped(int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
}

std::string text_value(const Distribution& d, const std::optional<Number>& value) {
    if (!value) return "-";
    if (auto f = std::get_if<double>(&*value)) {
        char text[32];
        std::snprintf(text, sizeof text, "%.4g", *f);
        return text;
    }
    const int64_t v = std::get<int64_t>(*value);
    if (d.name == "file_size") return v == 0 ? "0 B (empty)" : "[" + grouped(v) + ", " + grouped(2 * v) + ") B";
    if (d.units == "bytes") return human_bytes(double(v));
    return grouped(v);
}

struct TypeRow {
    std::string type;
    int64_t amount;
    double share;
};

struct Summary {
    int64_t images_listed = 0, images_ok = 0, layers_distinct = 0, layers_ok = 0;
    int64_t layer_compressed = 0, layer_uncompressed = 0;
    std::vector<Distribution> distributions;
    int64_t file_count = 0, file_bytes = 0, unique_count = 0, unique_bytes = 0;
    std::vector<TypeRow> by_count, by_bytes;
    int64_t union_images = -1;         // images with a known efficiency; -1: a file without the union view
    std::vector<double> union_below;   // share of them below each kEfficiencyThresholds
    std::vector<TypeRow> family_by_count, family_by_bytes;  // every family with files, largest first
};

// The union view (format version 2): its distributions and the share of
// images below each efficiency threshold, as summary.py computes them.
void summarize_union(Summary& s, Table& images, const h5::Location& images_group) {
    auto& d = s.distributions;
    d.push_back(distribution("image_union_file_count", "files per image, union view", "files", images.ok_values("union_file_count")));
    d.push_back(distribution("image_union_file_bytes", "file bytes per image, union view", "bytes", images.ok_values("union_file_bytes")));
    d.push_back(distribution("image_wasted_bytes", "wasted bytes per image", "bytes", images.ok_values("wasted_bytes")));
    const auto efficiency = read_float64(images_group, "efficiency");
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
        auto fraction = read_float64(images_group, "shared_file_fraction");
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

void print_json(const Summary& s, const std::string& extra_members) {
    std::printf("{\n \"images\": {\"listed\": %lld, \"ok\": %lld},\n", (long long)s.images_listed, (long long)s.images_ok);
    std::printf(" \"layers\": {\"distinct\": %lld, \"ok\": %lld, \"compressed_bytes\": %lld, \"uncompressed_bytes\": %lld, "
                "\"compression_ratio\": %s},\n",
                (long long)s.layers_distinct, (long long)s.layers_ok, (long long)s.layer_compressed,
                (long long)s.layer_uncompressed, json_number(share(s.layer_uncompressed, s.layer_compressed)).c_str());
    std::printf(" \"distributions\": {");
    for (std::size_t i = 0; i < s.distributions.size(); ++i) {
        const auto& d = s.distributions[i];
        std::printf("%s\n  %s: {\"n\": %lld", i ? "," : "", json_string(d.name).c_str(), (long long)d.n);
        for (std::size_t k = 0; k < d.percentiles.size(); ++k)
            std::printf(", \"p%d\": %s", kPercentiles[k],
                        d.percentiles[k] ? json_number(*d.percentiles[k]).c_str() : "null");
        std::printf("}");
    }
    std::printf("\n },\n");
    std::printf(" \"dedup\": {\"file_count\": %lld, \"file_bytes\": %lld, \"unique_file_count\": %lld, "
                "\"unique_bytes\": %lld, \"ratio_by_count\": %s, \"ratio_by_bytes\": %s},\n",
                (long long)s.file_count, (long long)s.file_bytes, (long long)s.unique_count, (long long)s.unique_bytes,
                json_number(share(s.file_count, s.unique_count)).c_str(),
                json_number(share(s.file_bytes, s.unique_bytes)).c_str());
    std::printf(" \"file_types\": {");
    const char* sep = "";
    for (auto [key, column, rows] : {std::tuple{"by_count", "file_count", &s.by_count},
                                     std::tuple{"by_bytes", "file_bytes", &s.by_bytes}}) {
        std::printf("%s\n  \"%s\": [", sep, key);
        for (std::size_t i = 0; i < rows->size(); ++i) {
            const auto& r = (*rows)[i];
            std::printf("%s{\"type\": %s, \"%s\": %lld, \"share\": %s}", i ? ", " : "", json_string(r.type).c_str(),
                        column, (long long)r.amount, json_number(r.share).c_str());
        }
        std::printf("]");
        sep = ",";
    }
    std::printf("\n },\n \"file_families\": {");
    sep = "";
    for (auto [key, column, rows] : {std::tuple{"by_count", "file_count", &s.family_by_count},
                                     std::tuple{"by_bytes", "file_bytes", &s.family_by_bytes}}) {
        std::printf("%s\n  \"%s\": [", sep, key);
        for (std::size_t i = 0; i < rows->size(); ++i) {
            const auto& r = (*rows)[i];
            std::printf("%s{\"family\": %s, \"%s\": %lld, \"share\": %s}", i ? ", " : "",
                        json_string(r.type).c_str(), column, (long long)r.amount, json_number(r.share).c_str());
        }
        std::printf("]");
        sep = ",";
    }
    std::printf("\n }");
    if (s.union_images >= 0) {
        std::printf(",\n \"union\": {\"images\": %lld", (long long)s.union_images);
        for (std::size_t k = 0; k < s.union_below.size(); ++k)
            std::printf(", \"share_below_%s\": %s", json_number(kEfficiencyThresholds[k]).c_str(),
                        json_number(s.union_below[k]).c_str());
        std::printf("}");
    }
    // The caller closes the object: members from other sections follow.
    std::printf("%s", extra_members.c_str());
}

void print_text(const Summary& s, const h5::File& file, const std::string& path, bool kinds) {
    std::printf("regcensus report: %s (created %s, %lld ranks)\n", path.c_str(),
                file.string_attribute("created_utc").c_str(), static_cast<long long>(file.int64_attribute("mpi_ranks")));
    std::printf("  images analysed (status ok)     %s of %s\n", grouped(s.images_ok).c_str(), grouped(s.images_listed).c_str());
    std::printf("  distinct layers analysed        %s of %s\n", grouped(s.layers_ok).c_str(), grouped(s.layers_distinct).c_str());
    std::printf("  distinct layers                 %s compressed, %s uncompressed (ratio %.4g)\n",
                human_bytes(double(s.layer_compressed)).c_str(), human_bytes(double(s.layer_uncompressed)).c_str(),
                share(s.layer_uncompressed, s.layer_compressed));
    std::printf("\n  %-38s %10s  %-24s %s\n", "distribution", "n", "median", "p90");
    for (const auto& d : s.distributions) {
        if (d.units == "unix seconds") continue;  // a date: printed in days before the census (layer_mtime_age_days)
        std::printf("  %-38s %10s  %-24s %s\n", d.label.c_str(), grouped(d.n).c_str(),
                    text_value(d, d.percentiles[0]).c_str(), text_value(d, d.percentiles[1]).c_str());
    }
    std::printf("\n  file-level duplication over the distinct layers\n");
    std::printf("  %-38s %s\n", "regular files", grouped(s.file_count).c_str());
    std::printf("  %-38s %s\n", "file bytes", human_bytes(double(s.file_bytes)).c_str());
    std::printf("  %-38s %s\n", "distinct contents", grouped(s.unique_count).c_str());
    std::printf("  %-38s %s\n", "distinct content bytes", human_bytes(double(s.unique_bytes)).c_str());
    std::printf("  %-38s %.4g\n", "dedup ratio by count (files/contents)", share(s.file_count, s.unique_count));
    std::printf("  %-38s %.4g\n", "dedup ratio by bytes", share(s.file_bytes, s.unique_bytes));
    if (s.union_images >= 0) {
        std::printf("\n  union view (images with status ok)    %s\n", grouped(s.union_images).c_str());
        for (std::size_t k = 0; k < s.union_below.size(); ++k)
            std::printf("  %-38s %.4g\n", ("share with efficiency below " + json_number(kEfficiencyThresholds[k])).c_str(),
                        s.union_below[k]);
    }
    // Families by default, the study's level of detail; --kinds shows the top categories.
    const auto& by_count = kinds ? s.by_count : s.family_by_count;
    const auto& by_bytes = kinds ? s.by_bytes : s.family_by_bytes;
    const char* what = kinds ? "top file types" : "file-type families";
    std::printf("\n  %s by count\n", what);
    for (const auto& r : by_count)
        std::printf("    %-24s %12s files  %5.1f%%\n", r.type.c_str(), grouped(r.amount).c_str(), 100 * r.share);
    std::printf("  %s by bytes\n", what);
    for (const auto& r : by_bytes)
        std::printf("    %-24s %12s        %5.1f%%\n", r.type.c_str(), human_bytes(double(r.amount)).c_str(), 100 * r.share);
}

}  // namespace

int report_command(int argc, char** argv) {
    po::options_description options("regcensus report RESULTS: headline numbers of a results file (docs/report.md)");
    std::string path;
    bool json = false, kinds = false, failures = false;
    std::string image;
    options.add_options()("help,h", "show this help")("results", po::value(&path)->required(), "results file")(
        "json", po::bool_switch(&json), "print the numbers as JSON (the object analysis/summary.py --json prints)")(
        "kinds", po::bool_switch(&kinds), "show the top file-type categories (family/kind) instead of the families")(
        "image", po::value(&image), "one image (its reference as in /images): its layers, what each adds, overwrites "
                                    "and deletes, and its largest wasted files (docs/union-view.md)")(
        "failures", po::bool_switch(&failures), "list every failed image and layer with its status and error (--json: as JSON)");
    po::positional_options_description positional;
    positional.add("results", 1);
    po::variables_map vm;
    if (!parse_options(argc, argv, options, vm, &positional)) return 0;

    auto file = h5::File::open_read(path);
    if (file.string_attribute("format") != "regcensus-results")
        throw std::runtime_error(path + " is not a regcensus results file");
    if (failures) return print_failures(read_failures(file), json);
    if (!image.empty()) {
        print_image_report(file, image);
        return 0;
    }
    const auto summary = summarize(file);
    const auto extras = report_extras(file, kinds);
    if (json) {
        print_json(summary, extras.json_members);
        print_storage_json(file);
        std::printf("\n}\n");
    } else {
        print_text(summary, file, path, kinds);
        std::fputs(extras.text.c_str(), stdout);
        print_storage_text(file);
    }
    return 0;
}

}  // namespace regcensus::cli
