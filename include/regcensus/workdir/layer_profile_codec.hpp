#pragma once
// LayerProfile <-> bytes, for gathering profiles to rank 0.
#include "regcensus/layer/layer_profile.hpp"
#include "regcensus/util/binary_codec.hpp"

namespace regcensus {

void encode(ByteWriter& out, const LayerProfile& profile);
LayerProfile decode_layer_profile(ByteReader& in);

}  // namespace regcensus
