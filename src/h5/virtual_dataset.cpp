#include "regcensus/h5/virtual_dataset.hpp"

#include <filesystem>
#include <stdexcept>

namespace regcensus::h5 {
namespace {

Handle simple_space(std::size_t rows) {
    const hsize_t n = rows;
    return Handle(H5Screate_simple(1, &n, nullptr), H5Sclose, "H5Screate_simple");
}

Handle creation_properties(const Location& where, const std::string& name) {
    Handle dataset(H5Dopen2(where.id(), name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2");
    return Handle(H5Dget_create_plist(dataset.id()), H5Pclose, "H5Dget_create_plist");
}

// H5Pget_virtual_filename/dsetname: asked for the length first, then filled.
template <typename Getter>
std::string property_string(Getter get) {
    const ssize_t length = get(nullptr, 0);
    if (length < 0) checked_status(-1, "H5Pget_virtual_*name");
    std::string value(static_cast<std::size_t>(length) + 1, '\0');
    if (get(value.data(), value.size()) < 0) checked_status(-1, "H5Pget_virtual_*name");
    value.resize(static_cast<std::size_t>(length));
    return value;
}

}  // namespace

void create_virtual_column(const Location& where, const std::string& name, ColumnAppender::Type type,
                           const std::vector<VirtualSource>& sources, std::string_view description,
                           std::string_view units) {
    std::size_t total = 0;
    for (const auto& s : sources) total += s.rows;
    Handle virtual_space = simple_space(total);
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate");
    hsize_t offset = 0;
    for (const auto& source : sources) {
        if (source.rows == 0) continue;  // HDF5 refuses an empty mapping
        const hsize_t count = source.rows;
        checked_status(H5Sselect_hyperslab(virtual_space.id(), H5S_SELECT_SET, &offset, nullptr, &count, nullptr),
                       "H5Sselect_hyperslab");
        Handle source_space = simple_space(source.rows);
        checked_status(H5Pset_virtual(properties.id(), virtual_space.id(), source.file.c_str(),
                                      source.dataset.c_str(), source_space.id()),
                       "H5Pset_virtual");
        offset += count;
    }
    checked_status(H5Sselect_all(virtual_space.id()), "H5Sselect_all");
    Handle string_type = utf8_string_datatype();
    const hid_t file_type = type == ColumnAppender::Type::int64 ? H5T_STD_I64LE : string_type.id();
    Location dataset(Handle(H5Dcreate2(where.id(), name.c_str(), file_type, virtual_space.id(), H5P_DEFAULT,
                                       properties.id(), H5P_DEFAULT),
                            H5Dclose, "H5Dcreate2"));
    dataset.set_attribute("description", description);
    if (!units.empty()) dataset.set_attribute("units", units);
}

bool is_virtual(const Location& where, const std::string& name) {
    return H5Pget_layout(creation_properties(where, name).id()) == H5D_VIRTUAL;
}

std::vector<VirtualSource> virtual_sources(const Location& where, const std::string& name) {
    const Handle properties = creation_properties(where, name);
    std::size_t count = 0;
    checked_status(H5Pget_virtual_count(properties.id(), &count), "H5Pget_virtual_count");
    std::vector<VirtualSource> sources;
    for (std::size_t i = 0; i < count; ++i) {
        VirtualSource& source = sources.emplace_back();
        source.file = property_string(
            [&](char* into, std::size_t size) { return H5Pget_virtual_filename(properties.id(), i, into, size); });
        source.dataset = property_string(
            [&](char* into, std::size_t size) { return H5Pget_virtual_dsetname(properties.id(), i, into, size); });
        // The rows come from the virtual side of the mapping: HDF5 1.10 reads a
        // source selection of "all" back as a single point.
        Handle selected(H5Pget_virtual_vspace(properties.id(), i), H5Sclose, "H5Pget_virtual_vspace");
        const hssize_t rows = H5Sget_select_npoints(selected.id());
        if (rows < 0) checked_status(-1, "H5Sget_select_npoints");
        source.rows = static_cast<std::size_t>(rows);
    }
    return sources;
}

void check_virtual_sources(const File& file, const std::string& name) {
    if (!is_virtual(file, name)) return;
    const std::filesystem::path beside = std::filesystem::path(file.path()).parent_path();
    const std::string column = "/" + name;
    for (const auto& source : virtual_sources(file, name)) {
        if (source.file == ".") continue;  // HDF5's name for the file itself
        const std::filesystem::path given(source.file);
        const std::string path = (given.is_absolute() ? given : beside / given).string();
        std::size_t rows = 0;
        try {
            rows = File::open_read(path).dataset_length(source.dataset);
        } catch (const Error&) {
            throw std::runtime_error("piece " + path + " of " + column + " is missing or unreadable");
        }
        if (rows < source.rows)
            throw std::runtime_error("piece " + path + " of " + column + " holds " + std::to_string(rows) +
                                     " rows, the results file expects " + std::to_string(source.rows));
    }
}

}  // namespace regcensus::h5
