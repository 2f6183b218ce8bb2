#include "regcensus/results/report_extras.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>

#include "regcensus/manifest/rfc3339.hpp"
#include "regcensus/util/json_writer.hpp"

namespace regcensus {
namespace {

constexpr std::size_t kTopInstructions = 10;
constexpr int64_t kDay = 86400;

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Floor division, as Python's //, so that a timestamp after the census gives the same (negative) day.
int64_t days_before(int64_t reference, int64_t when) {
    const int64_t d = reference - when;
    return d >= 0 ? d / kDay : -((-d + kDay - 1) / kDay);
}

// /tables columns: counts and byte sums are int64, every other column names what is counted.
bool is_number_column(const std::string& name) { return name == "count" || name.ends_with("_bytes"); }

double ratio(int64_t part, int64_t whole) { return whole > 0 ? double(part) / double(whole) : 0.0; }

struct InstructionRow {
    std::string instruction;
    int64_t layers = 0, compressed_bytes = 0;
};

void tables_section(const h5::File& file, JsonWriter& json, std::string& text) {
    if (!file.has("tables")) return;
    auto tables = file.open_group("tables");
    auto names = tables.member_names();
    std::sort(names.begin(), names.end());
    json.key("tables").begin_object();
    text += "\n  dataset tables\n";
    for (const auto& name : names) {
        auto table = tables.open_group(name);
        auto columns = table.member_names();
        std::sort(columns.begin(), columns.end());
        std::map<std::string, std::vector<std::string>> strings;
        std::map<std::string, std::vector<int64_t>> numbers;
        for (const auto& c : columns) {
            if (is_number_column(c))
                numbers[c] = table.read_int64(c);
            else
                strings[c] = table.read_strings(c);
        }
        const std::size_t rows = numbers.count("count") ? numbers["count"].size() : 0;
        json.key(name).begin_array();
        text += "    " + name + "\n";
        for (std::size_t r = 0; r < rows; ++r) {
            json.begin_object(JsonWriter::Layout::inline_);
            std::string line = "      ";
            for (const auto& c : columns) {
                if (is_number_column(c)) {
                    json.member(c, numbers[c][r]);
                } else {
                    json.member(c, strings[c][r]);
                    line += (strings[c][r].empty() ? "(none)" : strings[c][r]) + "  ";
                }
            }
            json.end_object();
            char counts[96];
            std::snprintf(counts, sizeof counts, "%lld", static_cast<long long>(numbers["count"][r]));
            text += line + counts + "\n";
        }
        json.end_array();
    }
    json.end_object();
}

void environment_section(const h5::File& file, JsonWriter& json, std::string& text) {
    auto images = file.open_group("images");
    if (!images.has("runs_as_root")) return;
    const auto status = images.read_strings("status");
    const auto root = images.read_int64("runs_as_root");
    const auto mismatch = images.read_int64("history_mismatch");
    const auto ports = images.read_strings("exposed_ports");
    const auto entrypoint = images.read_strings("entrypoint");
    int64_t known = 0, as_root = 0, exposing = 0, with_entrypoint = 0, mismatched = 0;
    for (std::size_t i = 0; i < status.size(); ++i) {
        if (status[i] != "ok" || root[i] < 0) continue;
        ++known;
        as_root += root[i] == 1;
        exposing += !ports[i].empty();
        with_entrypoint += !entrypoint[i].empty();
        mismatched += mismatch[i] == 1;
    }
    json.key("environment").begin_object(JsonWriter::Layout::inline_);
    json.member("images", known).member("runs_as_root", as_root).member("exposing_ports", exposing);
    json.member("with_entrypoint", with_entrypoint).member("history_mismatch", mismatched);
    json.end_object();
    char line[512];
    std::snprintf(line, sizeof line,
                  "\n  execution environment (images with status ok and a config)\n"
                  "  %-38s %lld\n  %-38s %lld (%.1f%%)\n  %-38s %lld\n  %-38s %lld\n  %-38s %lld\n",
                  "images", (long long)known, "run as root", (long long)as_root, 100 * ratio(as_root, known),
                  "expose ports", (long long)exposing, "have an entrypoint", (long long)with_entrypoint,
                  "history does not pair with layers", (long long)mismatched);
    text += line;
}

void instructions_section(const h5::File& file, JsonWriter& json, std::string& text) {
    if (!file.has("image_layers") || !file.open_group("image_layers").has("created_by")) return;
    auto image_layers = file.open_group("image_layers");
    const auto layer_of = image_layers.read_int64("layer");
    const auto created_by = image_layers.read_strings("created_by");
    auto layers = file.open_group("layers");
    const auto status = layers.read_strings("status");
    const auto compressed = layers.read_int64("compressed_bytes");
    // Each distinct layer once: the instruction of its first row that names one.
    std::vector<std::string> instruction(status.size());
    for (std::size_t k = 0; k < layer_of.size(); ++k) {
        const auto layer = std::size_t(layer_of[k]);
        if (layer < instruction.size() && instruction[layer].empty() && !trim(created_by[k]).empty())
            instruction[layer] = build_instruction(created_by[k]);
    }
    std::map<std::string, InstructionRow> by_name;
    for (std::size_t l = 0; l < status.size(); ++l) {
        if (status[l] != "ok") continue;
        auto& row = by_name[instruction[l].empty() ? "(unknown)" : instruction[l]];
        ++row.layers;
        row.compressed_bytes += std::max<int64_t>(compressed[l], 0);
    }
    std::vector<InstructionRow> rows;
    for (auto& [name, row] : by_name) {
        row.instruction = name;
        rows.push_back(row);
    }
    json.key("build_instructions").begin_object();
    text += "\n  build instructions producing the distinct layers (status ok)\n";
    for (auto [key, amount] : {std::pair{"by_layers", &InstructionRow::layers},
                               std::pair{"by_bytes", &InstructionRow::compressed_bytes}}) {
        auto ranked = rows;  // rows are in name order: ties stay in name order
        std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) { return a.*amount > b.*amount; });
        if (ranked.size() > kTopInstructions) ranked.resize(kTopInstructions);
        json.key(key).begin_array();
        text += std::string("    most ") + (amount == &InstructionRow::layers ? "layers" : "compressed bytes") + "\n";
        for (const auto& r : ranked) {
            json.begin_object(JsonWriter::Layout::inline_);
            json.member("instruction", r.instruction).member("layers", r.layers);
            json.member("compressed_bytes", r.compressed_bytes);
            json.end_object();
            char line[256];
            std::snprintf(line, sizeof line, "      %-16s %10lld layers %16lld bytes\n", r.instruction.c_str(),
                          (long long)r.layers, (long long)r.compressed_bytes);
            text += line;
        }
        json.end_array();
    }
    json.end_object();
}

}  // namespace

std::vector<std::string> file_type_families(const h5::Location& filetypes) {
    if (filetypes.has("family")) return filetypes.read_strings("family");
    auto families = filetypes.read_strings("type");
    for (auto& name : families) name = name.substr(0, name.find('/'));
    return families;
}

namespace {

struct DedupRow {
    std::string name;
    int64_t files = 0, unique = 0, bytes = 0, unique_bytes = 0;
};

// One row per category, and one per family (a content has one category, so
// the categories of a family partition its distinct contents and their sums
// are the family's).
void dedup_rows(const h5::Location& types, std::vector<DedupRow>& by_type, std::vector<DedupRow>& by_family) {
    const auto names = types.read_strings("type");
    const auto families = file_type_families(types);
    const auto files = types.read_int64("file_count"), bytes = types.read_int64("file_bytes");
    const auto unique = types.read_int64("unique_file_count"), unique_bytes = types.read_int64("unique_bytes");
    for (std::size_t t = 0; t < names.size(); ++t) {
        if (files[t] <= 0) continue;
        const DedupRow row{names[t], files[t], unique[t], bytes[t], unique_bytes[t]};
        by_type.push_back(row);
        const std::string& family = families[t];
        auto f = std::find_if(by_family.begin(), by_family.end(), [&](const DedupRow& r) { return r.name == family; });
        if (f == by_family.end()) f = by_family.insert(by_family.end(), DedupRow{family});
        f->files += row.files, f->unique += row.unique, f->bytes += row.bytes, f->unique_bytes += row.unique_bytes;
    }
}

void dedup_json(JsonWriter& json, const char* key, const char* name_key, const std::vector<DedupRow>& rows) {
    json.key(key).begin_array();
    for (const auto& r : rows) {
        json.begin_object(JsonWriter::Layout::inline_);
        json.member(name_key, r.name).member("file_count", r.files).member("unique_file_count", r.unique);
        json.member("ratio_by_count", ratio(r.files, r.unique));
        json.member("file_bytes", r.bytes).member("unique_bytes", r.unique_bytes);
        json.member("ratio_by_bytes", ratio(r.bytes, r.unique_bytes));
        json.end_object();
    }
    json.end_array();
}

void dedup_by_type_section(const h5::File& file, bool kinds, JsonWriter& json, std::string& text) {
    if (!file.has("filetypes")) return;
    std::vector<DedupRow> by_type, by_family;
    dedup_rows(file.open_group("filetypes"), by_type, by_family);
    dedup_json(json, "dedup_by_type", "type", by_type);
    dedup_json(json, "dedup_by_family", "family", by_family);
    text += kinds ? "\n  dedup ratio by file type (files / contents, bytes / distinct bytes)\n"
                  : "\n  dedup ratio by file-type family (files / contents, bytes / distinct bytes)\n";
    for (const auto& r : kinds ? by_type : by_family) {
        char line[256];
        std::snprintf(line, sizeof line, "    %-24s %12lld files  %8.4g  %8.4g\n", r.name.c_str(), (long long)r.files,
                      ratio(r.files, r.unique), ratio(r.bytes, r.unique_bytes));
        text += line;
    }
}

}  // namespace

std::string build_instruction(std::string_view created_by) {
    std::string_view s = trim(created_by);
    if (s.empty()) return "(unknown)";
    // The classic builder writes a RUN with build arguments as "|2 A=1 B=2 /bin/sh -c ...".
    if (s.front() == '|') return "RUN";
    constexpr std::string_view shell = "/bin/sh -c";
    if (s.starts_with(shell)) {
        s = trim(s.substr(shell.size()));
        constexpr std::string_view nop = "#(nop)";
        if (!s.starts_with(nop)) return "RUN";
        s = trim(s.substr(nop.size()));
    }
    std::string word(s.substr(0, s.find_first_of(" \t\n")));
    if (word.empty() || !std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isalpha(c); }))
        return "(other)";
    for (char& c : word) c = char(std::toupper(static_cast<unsigned char>(c)));
    return word;
}

std::vector<ExtraDistribution> layer_age_distributions(const h5::File& file) {
    std::vector<ExtraDistribution> out;
    const int64_t reference = parse_rfc3339_seconds(file.string_attribute("created_utc"));
    auto layers = file.open_group("layers");
    if (reference < 0) return out;
    const auto status = layers.read_strings("status");
    for (auto [column, name, label] :
         {std::tuple{"history_created", "layer_history_age_days", "layer age (history created), days"},
          std::tuple{"mtime_max", "layer_mtime_age_days", "layer age (newest file mtime), days"}}) {
        if (!layers.has(column)) continue;
        const auto when = layers.read_int64(column);
        ExtraDistribution d{name, label, {}};
        for (std::size_t l = 0; l < when.size(); ++l)
            if (status[l] == "ok" && when[l] >= 0) d.values.push_back(days_before(reference, when[l]));
        out.push_back(std::move(d));
    }
    return out;
}

ReportExtras report_extras(const h5::File& file, JsonWriter& json, bool kinds) {
    ReportExtras extras;
    tables_section(file, json, extras.text);
    environment_section(file, json, extras.text);
    instructions_section(file, json, extras.text);
    dedup_by_type_section(file, kinds, json, extras.text);
    return extras;
}

}  // namespace regcensus
