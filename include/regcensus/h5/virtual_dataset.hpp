#pragma once
// A 1-D column that is the concatenation of same-named columns in other files,
// joined without copying: an HDF5 virtual dataset (VDS). results.h5's /files
// is one, over the pieces each rank wrote (docs/results-file.md, "/files").
//
// HDF5 reads a missing or short source as fill values without a word, so a
// reader that must not be fooled calls check_virtual_sources() first.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/h5/column_appender.hpp"
#include "regcensus/h5/h5_location.hpp"

namespace regcensus::h5 {

// `rows` elements of dataset `dataset` in file `file`. A relative `file` is
// found from the directory of the file holding the virtual dataset, so the
// pair can be moved or copied together.
struct VirtualSource {
    std::string file;
    std::string dataset;
    std::size_t rows = 0;
};

// Creates `name` in `where`: the sources one after the other (empty ones are
// left out), of `type`, described like a ColumnAppender column.
void create_virtual_column(const Location& where, const std::string& name, ColumnAppender::Type type,
                           const std::vector<VirtualSource>& sources, std::string_view description,
                           std::string_view units = {});

// Whether dataset `name` of `where` is a virtual dataset.
bool is_virtual(const Location& where, const std::string& name);

// The sources of virtual dataset `name`, in the order they were mapped, with
// the rows each one is expected to give.
std::vector<VirtualSource> virtual_sources(const Location& where, const std::string& name);

// Throws std::runtime_error, one line, when a source of virtual dataset `name`
// (of `file`, whose path locates relative sources) is missing, unreadable or
// shorter than mapped: "piece PATH of /files/layer is missing" or "piece PATH
// of /files/layer holds R rows, the results file expects E".
void check_virtual_sources(const File& file, const std::string& name);

}  // namespace regcensus::h5
