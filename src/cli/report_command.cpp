// `regcensus report RESULTS`: the headline figures of a census in the terminal.
// Percentiles are nearest-rank over the rows whose status is ok (see docs/report.md).
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>

#include "regcensus/cli/commands.hpp"
#include "regcensus/h5/h5_location.hpp"

namespace po = boost::program_options;

namespace regcensus::cli {
namespace {

// Nearest-rank percentile: the smallest value with at least p% of the values at or below it.
int64_t percentile(std::vector<int64_t> values, double p) {
    if (values.empty()) return -1;
    std::sort(values.begin(), values.end());
    auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(values.size())));
    return values[std::max<std::size_t>(rank, 1) - 1];
}

std::vector<int64_t> ok_values(const h5::Location& table, const std::string& column) {
    auto status = table.read_strings("status");
    auto values = table.read_int64(column);
    std::vector<int64_t> out;
    for (std::size_t i = 0; i < values.size(); ++i)
        if (status[i] == "ok" && values[i] >= 0) out.push_back(values[i]);
    return out;
}

int64_t sum(const std::vector<int64_t>& values) {
    int64_t s = 0;
    for (auto v : values) s += v;
    return s;
}

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB", "PB"};
    int u = 0;
    while (bytes >= 1000 && u < 5) {
        bytes /= 1000;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, u == 0 ? "%.0f %s" : "%.2f %s", bytes, units[u]);
    return text;
}

void row(const char* name, const std::string& value) { std::printf("  %-44s %s\n", name, value.c_str()); }
void row(const char* name, int64_t value) { row(name, std::to_string(value)); }

void status_breakdown(const h5::Location& table) {
    std::map<std::string, int64_t> by_status;
    for (const auto& s : table.read_strings("status")) ++by_status[s];
    for (const auto& [status, n] : by_status)
        if (status != "ok") std::printf("    %-42s %lld\n", status.c_str(), static_cast<long long>(n));
}

}  // namespace

int report_command(int argc, char** argv) {
    po::options_description options("regcensus report RESULTS: headline figures of a results file");
    std::string path;
    options.add_options()("help,h", "show this help")("results", po::value(&path)->required(), "results file");
    po::positional_options_description positional;
    positional.add("results", 1);
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
        std::cout << options << "\n";
        return 0;
    }
    po::notify(vm);

    auto file = h5::File::open_read(path);
    if (file.string_attribute("format") != "regcensus-results")
        throw std::runtime_error(path + " is not a regcensus results file");
    auto images = file.open_group("images");
    auto layers = file.open_group("layers");
    auto dedup = file.open_group("dedup");

    const auto image_count = file.int64_attribute("image_count");
    const auto layer_count = file.int64_attribute("layer_count");
    const auto image_sizes = ok_values(images, "compressed_bytes");
    const auto layer_compressed = ok_values(layers, "compressed_bytes");
    const auto layer_uncompressed = ok_values(layers, "uncompressed_bytes");
    const auto layer_files = ok_values(layers, "file_count");
    const auto file_count = dedup.int64_attribute("file_count");
    const auto file_bytes = dedup.int64_attribute("file_bytes");
    const auto unique_count = dedup.int64_attribute("unique_file_count");
    const auto unique_bytes = dedup.int64_attribute("unique_bytes");
    auto ratio = [](int64_t a, int64_t b) {
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", b > 0 ? double(a) / double(b) : 0.0);
        return std::string(text);
    };

    std::printf("regcensus report: %s (created %s, %lld ranks)\n", path.c_str(),
                file.string_attribute("created_utc").c_str(),
                static_cast<long long>(file.int64_attribute("mpi_ranks")));
    row("images in list", image_count);
    row("images analysed (status ok)", static_cast<int64_t>(image_sizes.size()));
    status_breakdown(images);
    row("distinct layers", layer_count);
    row("layers analysed (status ok)", static_cast<int64_t>(layer_compressed.size()));
    status_breakdown(layers);
    row("distinct layers, compressed", human_bytes(double(sum(layer_compressed))));
    row("distinct layers, uncompressed", human_bytes(double(sum(layer_uncompressed))));
    row("compression ratio (uncompressed/compressed)", ratio(sum(layer_uncompressed), sum(layer_compressed)));
    row("image size median / p90 (compressed)",
        human_bytes(double(percentile(image_sizes, 50))) + " / " + human_bytes(double(percentile(image_sizes, 90))));
    row("layer size median / p90 (compressed)", human_bytes(double(percentile(layer_compressed, 50))) + " / " +
                                                     human_bytes(double(percentile(layer_compressed, 90))));
    row("files per layer median / p90",
        std::to_string(percentile(layer_files, 50)) + " / " + std::to_string(percentile(layer_files, 90)));
    row("regular files (distinct layers)", file_count);
    row("file bytes", human_bytes(double(file_bytes)));
    row("distinct contents", unique_count);
    row("distinct content bytes", human_bytes(double(unique_bytes)));
    row("dedup ratio by count (files/contents)", ratio(file_count, unique_count));
    row("dedup ratio by bytes", ratio(file_bytes, unique_bytes));

    auto types = file.open_group("filetypes");
    auto names = types.read_strings("type");
    auto counts = types.read_int64("file_count");
    auto bytes = types.read_int64("file_bytes");
    std::vector<std::size_t> order(names.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return counts[a] > counts[b]; });
    std::printf("  top file types by count:\n");
    for (std::size_t k = 0; k < std::min<std::size_t>(8, order.size()) && counts[order[k]] > 0; ++k)
        std::printf("    %-24s %10lld files  %12s\n", names[order[k]].c_str(), static_cast<long long>(counts[order[k]]),
                    human_bytes(double(bytes[order[k]])).c_str());
    return 0;
}

}  // namespace regcensus::cli
