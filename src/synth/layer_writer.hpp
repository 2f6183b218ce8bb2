#pragma once
// Writes one layer blob: entries -> tar -> compressor -> blob file, while the
// uncompressed stream is hashed for the config's diff_id and the expected
// profile is accumulated from the generated contents.
#include <cstdint>
#include <string>
#include <vector>

#include "blob_store.hpp"
#include "compression.hpp"
#include "layer_profile.hpp"
#include "regcensus/synth/layer_tree.hpp"

namespace regcensus::synth {

struct LayerRecord {
    std::string name;        // the recipe's name, for diagnostics
    std::string created_by;  // the config's history line
    std::string digest;
    std::string diff_id;  // sha256 of the uncompressed tar stream
    std::string media_type;
    Compression compression = Compression::none;
    int64_t compressed_bytes = 0;
    int64_t uncompressed_bytes = 0;
    LayerProfile profile;
};

LayerRecord write_layer(BlobStore& store, const std::vector<LayerEntry>& entries, Compression compression,
                        std::string media_type, int64_t mtime);

}  // namespace regcensus::synth
