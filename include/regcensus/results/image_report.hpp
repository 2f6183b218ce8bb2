#pragma once
// `regcensus report --image REF RESULTS`: dive's layer table for one image of a
// census, from the results file alone (docs/union-view.md, "One image").
#include <string>

#include "regcensus/h5/h5_location.hpp"

namespace regcensus {

// Prints the image's union figures, its layers with the bytes each adds,
// overwrites and deletes, and (when /files is present) its 20 largest wasted
// files. Throws std::runtime_error when no /images row has that reference.
void print_image_report(const h5::File& file, const std::string& reference);

}  // namespace regcensus
