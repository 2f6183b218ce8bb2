// `regcensus report RESULTS [--json]`: the headline numbers of a census in the terminal.
// The numbers and their definitions are those of analysis/summary.py (docs/report.md):
// nearest-rank percentiles over the rows whose status is ok; `--json` prints the same
// object summary.py --json prints, so that the two can be compared number for number.
#include <boost/program_options.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <variant>

#include "regcensus/cli/commands.hpp"
#include "regcensus/results/image_report.hpp"
#include "regcensus/cli/option_parsing.hpp"
#include "regcensus/results/failure_output.hpp"
#include "regcensus/results/report_extras.hpp"
#include "regcensus/results/report_summary.hpp"
#include "regcensus/results/storage_report.hpp"
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/util/json_writer.hpp"

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

// A threshold as summary.py names it in keys and labels ("0.9", "0.95").
std::string threshold_text(double threshold) {
    char text[32];
    return std::string(text, std::to_chars(text, text + sizeof text, threshold).ptr);
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

// The members of summary.py --json's object, in its order.
void summary_json(const Summary& s, JsonWriter& json) {
    using Layout = JsonWriter::Layout;
    json.key("images").begin_object(Layout::inline_);
    json.member("listed", s.images_listed).member("ok", s.images_ok).end_object();
    json.key("layers").begin_object(Layout::inline_);
    json.member("distinct", s.layers_distinct).member("ok", s.layers_ok);
    json.member("compressed_bytes", s.layer_compressed).member("uncompressed_bytes", s.layer_uncompressed);
    json.member("compression_ratio", share(s.layer_uncompressed, s.layer_compressed)).end_object();
    json.key("distributions").begin_object();
    for (const auto& d : s.distributions) {
        json.key(d.name).begin_object(Layout::inline_).member("n", d.n);
        for (std::size_t k = 0; k < d.percentiles.size(); ++k) {
            json.key("p" + std::to_string(kPercentiles[k]));
            if (d.percentiles[k])
                std::visit([&](auto v) { json.value(v); }, *d.percentiles[k]);
            else
                json.null();
        }
        json.end_object();
    }
    json.end_object();
    json.key("dedup").begin_object(Layout::inline_);
    json.member("file_count", s.file_count).member("file_bytes", s.file_bytes);
    json.member("unique_file_count", s.unique_count).member("unique_bytes", s.unique_bytes);
    json.member("ratio_by_count", share(s.file_count, s.unique_count));
    json.member("ratio_by_bytes", share(s.file_bytes, s.unique_bytes)).end_object();
    for (auto [section, name_key, by_count, by_bytes] :
         {std::tuple{"file_types", "type", &s.by_count, &s.by_bytes},
          std::tuple{"file_families", "family", &s.family_by_count, &s.family_by_bytes}}) {
        json.key(section).begin_object();
        for (auto [key, column, rows] : {std::tuple{"by_count", "file_count", by_count},
                                         std::tuple{"by_bytes", "file_bytes", by_bytes}}) {
            json.key(key).begin_array(Layout::inline_);
            for (const auto& r : *rows)
                json.begin_object().member(name_key, r.type).member(column, r.amount).member("share", r.share).end_object();
            json.end_array();
        }
        json.end_object();
    }
    if (s.union_images >= 0) {
        json.key("union").begin_object(Layout::inline_).member("images", s.union_images);
        for (std::size_t k = 0; k < s.union_below.size(); ++k)
            json.member("share_below_" + threshold_text(kEfficiencyThresholds[k]), s.union_below[k]);
        json.end_object();
    }
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
            std::printf("  %-38s %.4g\n", ("share with efficiency below " + threshold_text(kEfficiencyThresholds[k])).c_str(),
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
    // One JSON object, written by the one JSON writer: the summary's members, then
    // the extra sections', then /storage's.
    JsonWriter out(true);
    out.begin_object();
    summary_json(summary, out);
    const auto extras = report_extras(file, out, kinds);
    storage_json(file, out);
    out.end_object();
    if (json) {
        std::fputs(out.str().c_str(), stdout);
    } else {
        print_text(summary, file, path, kinds);
        std::fputs(extras.text.c_str(), stdout);
        print_storage_text(file);
    }
    return 0;
}

}  // namespace regcensus::cli
