// Doubles come out as Python's json writes them, so that `report --json` and
// analysis/summary.py --json agree in type as well as value.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "regcensus/util/json_writer.hpp"

namespace regcensus {
namespace {

TEST(JsonWriterFloat, ADoubleReadsBackAsADouble) {
    JsonWriter json;
    json.begin_array().value(3.0).value(0.25).value(-2.0).value(1e20).value(1e-5).value(0.0);
    json.value(int64_t{3}).value(std::nan("")).end_array();
    EXPECT_EQ(json.str(), "[3.0,0.25,-2.0,1e+20,1e-05,0.0,3,null]");
}

}  // namespace
}  // namespace regcensus
