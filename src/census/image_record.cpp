#include "regcensus/census/image_record.hpp"

namespace regcensus {

void encode(ByteWriter& out, const ImageRecord& image) {
    for (const auto* s : {&image.reference, &image.repository, &image.tag, &image.status, &image.error,
                          &image.manifest_digest, &image.index_digest, &image.media_type, &image.platform})
        out.put_string(*s);
    out.put(image.created);
    out.put(image.pull_count);
    out.put(image.star_count);
    out.put<uint64_t>(image.layers.size());
    for (const auto& layer : image.layers) {
        out.put_string(layer.digest);
        out.put_string(layer.media_type);
        out.put(layer.size);
        out.put(layer.foreign);
    }
    encode(out, image.environment);
    encode(out, image.listing);
    out.put_string(image.index_media_type);
}

ImageRecord decode_image_record(ByteReader& in) {
    ImageRecord image;
    for (auto* s : {&image.reference, &image.repository, &image.tag, &image.status, &image.error,
                    &image.manifest_digest, &image.index_digest, &image.media_type, &image.platform})
        *s = in.get_string();
    image.created = in.get<int64_t>();
    image.pull_count = in.get<int64_t>();
    image.star_count = in.get<int64_t>();
    image.layers.resize(in.get<uint64_t>());
    for (auto& layer : image.layers) {
        layer.digest = in.get_string();
        layer.media_type = in.get_string();
        layer.size = in.get<int64_t>();
        layer.foreign = in.get<bool>();
    }
    image.environment = decode_image_environment(in);
    image.listing = decode_image_listing(in);
    image.index_media_type = in.get_string();
    return image;
}

}  // namespace regcensus
