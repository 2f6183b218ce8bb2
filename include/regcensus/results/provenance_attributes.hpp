#pragma once
// /provenance's attributes with the types of their values: the census keeps
// its parameters as text (they are compared as text with a plan's), the
// results file gives users numbers as numbers and switches as booleans.
#include <map>
#include <string>

#include "regcensus/h5/h5_location.hpp"

namespace regcensus::h5 {

// One attribute per parameter, same names: the integer parameters as int64,
// the ratios as float64, the switches as booleans, when their text is one;
// every other value (paths, URLs, "auto") as a UTF-8 string.
void write_provenance_attributes(const Location& group, const std::map<std::string, std::string>& parameters);

}  // namespace regcensus::h5
