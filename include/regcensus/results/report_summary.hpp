#pragma once
// The headline numbers of a results file, read as analysis/summary.py reads
// them (docs/report.md): nearest-rank percentiles over the rows whose status
// is ok. `regcensus report` prints them (cli/report_command.cpp).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "regcensus/h5/h5_location.hpp"

namespace regcensus {

inline constexpr int kPercentiles[] = {50, 90};
inline constexpr std::size_t kTopTypes = 5;
inline constexpr double kEfficiencyThresholds[] = {0.9, 0.95};  // summary.py's EFFICIENCY_THRESHOLDS

using Number = std::variant<int64_t, double>;

// One distribution: how many values, and its percentiles (absent when there are no values).
struct Distribution {
    std::string name, label, units;
    int64_t n = 0;
    std::vector<std::optional<Number>> percentiles;  // one per kPercentiles
};

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

// part / whole, 0 when whole is 0 (as summary.py).
double share(int64_t part, int64_t whole);

Summary summarize(const h5::File& file);

}  // namespace regcensus
