#include "regcensus/workdir/layer_profile_codec.hpp"

namespace regcensus {
namespace {

// The numeric fields in one fixed order, shared by both directions.
template <typename Profile>
auto numeric_fields(Profile& p) {
    return std::array{&p.compressed_bytes, &p.uncompressed_bytes, &p.file_count,     &p.file_bytes,
                      &p.dir_count,        &p.max_depth,          &p.symlink_count,  &p.hardlink_count,
                      &p.other_count,      &p.whiteout_count,     &p.opaque_count,
                      // the per-layer extras beyond the contract
                      &p.setuid_count,     &p.setgid_count,       &p.world_writable_count,
                      &p.root_owned_file_count, &p.mtime_min,     &p.mtime_max};
}

}  // namespace

void encode(ByteWriter& out, const LayerProfile& profile) {
    for (const auto* s : {&profile.digest, &profile.media_type, &profile.compression, &profile.status, &profile.error})
        out.put_string(*s);
    for (const auto* field : numeric_fields(profile)) out.put(*field);
    out.put_vector(profile.file_size.counts());
    out.put_vector(profile.directory_depth.counts());
    out.put(profile.type_files);
    out.put(profile.type_bytes);
    out.put_vector(profile.directory_depth_counts);
    out.put_vector(profile.directory_direct_bytes.counts());
    out.put_vector(profile.directory_recursive_bytes.counts());
}

LayerProfile decode_layer_profile(ByteReader& in) {
    LayerProfile profile;
    for (auto* s : {&profile.digest, &profile.media_type, &profile.compression, &profile.status, &profile.error})
        *s = in.get_string();
    for (auto* field : numeric_fields(profile)) *field = in.get<int64_t>();
    profile.file_size.assign_counts(in.get_vector<int64_t>());
    profile.directory_depth.assign_counts(in.get_vector<int64_t>());
    profile.type_files = in.get<decltype(profile.type_files)>();
    profile.type_bytes = in.get<decltype(profile.type_bytes)>();
    profile.directory_depth_counts = in.get_vector<int64_t>();
    profile.directory_direct_bytes.assign_counts(in.get_vector<int64_t>());
    profile.directory_recursive_bytes.assign_counts(in.get_vector<int64_t>());
    return profile;
}

}  // namespace regcensus
