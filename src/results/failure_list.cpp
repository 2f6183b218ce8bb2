#include "regcensus/results/failure_list.hpp"

#include "regcensus/results/census_results.hpp"
#include "regcensus/census/run_log.hpp"
#include "regcensus/util/json_writer.hpp"
#include "regcensus/util/row_status.hpp"

namespace regcensus {
namespace {

std::string counted(const std::vector<FailedRow>& rows, int64_t of, const char* noun) {
    std::string text = std::to_string(rows.size()) + " of " + std::to_string(of) + " " + noun;
    if (rows.empty()) return text;
    std::string by_status;
    for (const auto& [status, n] : FailureList::counts(rows)) {
        if (!by_status.empty()) by_status += ", ";
        by_status += status + " " + std::to_string(n) + (is_retryable_status(status) ? " retryable" : "");
    }
    return text + " (" + by_status + ")";
}

std::string row_line(const char* kind, const FailedRow& row) {
    return std::string(kind) + " " + row.name + "  " + row.status + "  " + row.error;
}

}  // namespace

void FailureList::add_image(std::string reference, const std::string& status, std::string error) {
    ++images;
    if (status != "ok") failed_images.push_back({std::move(reference), status, std::move(error)});
}

void FailureList::add_layer(std::string digest, const std::string& status, std::string error) {
    ++layers;
    if (status != "ok") failed_layers.push_back({std::move(digest), status, std::move(error)});
}

std::map<std::string, int64_t> FailureList::counts(const std::vector<FailedRow>& rows) {
    std::map<std::string, int64_t> by_status;
    for (const auto& row : rows) ++by_status[row.status];
    return by_status;
}

FailureList failures_of(const std::vector<ImageRecord>& images, const std::vector<LayerProfile>& layers) {
    FailureList failures;
    for (const auto& image : images) failures.add_image(image.reference, image.status, image.error);
    for (const auto& layer : layers) failures.add_layer(layer.digest, layer.status, layer.error);
    return failures;
}

std::vector<std::string> failure_summary_lines(const FailureList& failures, std::size_t first) {
    std::vector<std::string> lines;
    if (failures.failed_images.empty() && failures.failed_layers.empty()) return lines;
    lines.push_back("failures: " + counted(failures.failed_images, failures.images, "images") + ", " +
                    counted(failures.failed_layers, failures.layers, "layers"));
    const auto show = [&](const char* kind, const std::vector<FailedRow>& rows) {
        for (std::size_t i = 0; i < rows.size() && i < first; ++i) lines.push_back("  " + row_line(kind, rows[i]));
        if (rows.size() > first)
            lines.push_back("  ... and " + std::to_string(rows.size() - first) + " more failed " + kind + "s");
    };
    show("image", failures.failed_images);
    show("layer", failures.failed_layers);
    return lines;
}

void log_failure_summary(const CensusResults& results, const std::string& out_path, const RunLog& log) {
    const auto lines = failure_summary_lines(failures_of(results.images, results.layers), 5);
    for (const auto& line : lines) log.root("%s", line.c_str());
    if (!lines.empty()) log.root("every failed row: regcensus report %s --failures", out_path.c_str());
}

std::vector<std::string> failure_rows(const FailureList& failures) {
    std::vector<std::string> lines;
    for (const auto& row : failures.failed_images) lines.push_back(row_line("image", row));
    for (const auto& row : failures.failed_layers) lines.push_back(row_line("layer", row));
    return lines;
}

std::string failures_json(const FailureList& failures) {
    JsonWriter json;
    json.begin_object();
    json.key("images").value(failures.images);
    json.key("layers").value(failures.layers);
    const auto counts = [&](const char* key, const std::vector<FailedRow>& rows) {
        json.key(key).begin_object();
        for (const auto& [status, n] : FailureList::counts(rows)) json.key(status).value(n);
        json.end_object();
    };
    counts("image_failures", failures.failed_images);
    counts("layer_failures", failures.failed_layers);
    const auto rows = [&](const char* key, const char* name, const std::vector<FailedRow>& list) {
        json.key(key).begin_array();
        for (const auto& row : list) {
            json.begin_object();
            json.key(name).value(row.name);
            json.key("status").value(row.status);
            json.key("retryable").value(is_retryable_status(row.status));
            json.key("error").value(row.error);
            json.end_object();
        }
        json.end_array();
    };
    rows("failed_images", "reference", failures.failed_images);
    rows("failed_layers", "digest", failures.failed_layers);
    json.end_object();
    return json.str();
}

}  // namespace regcensus
