#include "regcensus/h5/h5_location.hpp"

#include <hdf5_hl.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace regcensus::h5 {
namespace {

// HDF5 prints its whole error stack to stderr by default; regcensus reports
// one line per failure instead (h5::Error).
void silence_library_errors() {
    static const bool silenced = H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
    (void)silenced;
}

// The reason of the failure on the error stack, which is then cleared: the
// system error when a file driver reports one ("errno = 28" is "No space left
// on device"), else the innermost HDF5 message.
std::string take_error_cause() {
    struct Found {
        std::string innermost;
        int error_number = 0;
    } found;
    H5Ewalk2(
        H5E_DEFAULT, H5E_WALK_UPWARD,
        [](unsigned position, const H5E_error2_t* error, void* data) -> herr_t {
            auto& found = *static_cast<Found*>(data);
            const std::string_view description = error->desc ? error->desc : "";
            if (position == 0) found.innermost = description;
            constexpr std::string_view marker = "errno = ";
            if (const auto at = description.find(marker); found.error_number == 0 && at != std::string_view::npos)
                found.error_number = std::atoi(error->desc + at + marker.size());
            return 0;
        },
        &found);
    H5Eclear2(H5E_DEFAULT);
    if (found.error_number > 0) return std::strerror(found.error_number);
    return found.innermost.empty() ? "HDF5 error" : found.innermost;
}

hid_t check(hid_t id, const char* what) {
    if (id < 0) throw Error(std::string("HDF5: ") + what + " failed", take_error_cause());
    return id;
}

void check_status(herr_t status, const char* what) {
    if (status < 0) throw Error(std::string("HDF5: ") + what + " failed", take_error_cause());
}

// Variable-length UTF-8 strings: what h5py reads as `str`.
Handle utf8_string_type() {
    Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "H5Tcopy");
    check_status(H5Tset_size(type.id(), H5T_VARIABLE), "H5Tset_size");
    check_status(H5Tset_cset(type.id(), H5T_CSET_UTF8), "H5Tset_cset");
    return type;
}

Handle simple_space(std::size_t n) {
    hsize_t dims[1] = {n};
    return Handle(H5Screate_simple(1, dims, nullptr), H5Sclose, "H5Screate_simple");
}

void write_string_attribute(hid_t owner, const std::string& name, std::string_view value) {
    auto type = utf8_string_type();
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate");
    Handle attr(H5Acreate2(owner, name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "H5Acreate2");
    std::string copy(value);
    const char* pointer = copy.c_str();
    check_status(H5Awrite(attr.id(), type.id(), &pointer), "H5Awrite");
}

std::string read_string_attribute(hid_t owner, const std::string& name) {
    Handle attr(H5Aopen(owner, name.c_str(), H5P_DEFAULT), H5Aclose, "H5Aopen");
    auto type = utf8_string_type();
    char* pointer = nullptr;
    check_status(H5Aread(attr.id(), type.id(), &pointer), "H5Aread");
    std::string value = pointer ? pointer : "";
    H5free_memory(pointer);
    return value;
}

void describe(hid_t dataset, std::string_view description, std::string_view units) {
    write_string_attribute(dataset, "description", description);
    if (!units.empty()) write_string_attribute(dataset, "units", units);
}

// Datasets of at least kChunkedFromBytes are stored in chunks of about
// kChunkBytes, each shuffled and deflated (filters every HDF5 build has, so
// any h5py reads them); smaller ones stay contiguous, where a chunk index and
// filter headers would cost more than compression saves. A chunk is whole
// rows of a matrix and fits HDF5's default 1 MiB chunk cache. Compression
// changes how values are stored, never the values.
constexpr std::size_t kChunkedFromBytes = 16 * 1024;
constexpr std::size_t kChunkBytes = 256 * 1024;
constexpr unsigned kDeflateLevel = 4;

Handle dataset_creation_properties(const Handle& space, hid_t file_type) {
    const int rank = H5Sget_simple_extent_ndims(space.id());
    if (rank < 1 || rank > 2) return Handle();
    hsize_t dims[2] = {0, 0};
    check_status(H5Sget_simple_extent_dims(space.id(), dims, nullptr), "H5Sget_simple_extent_dims");
    const std::size_t row_elements = rank == 2 ? dims[1] : 1;
    const std::size_t row_bytes = row_elements * H5Tget_size(file_type);
    if (dims[0] == 0 || row_bytes == 0 || dims[0] * row_bytes < kChunkedFromBytes) return Handle();
    hsize_t chunk[2] = {std::clamp<hsize_t>(kChunkBytes / row_bytes, 1, dims[0]), rank == 2 ? dims[1] : 1};
    Handle creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate");
    check_status(H5Pset_chunk(creation.id(), rank, chunk), "H5Pset_chunk");
    check_status(H5Pset_shuffle(creation.id()), "H5Pset_shuffle");
    check_status(H5Pset_deflate(creation.id(), kDeflateLevel), "H5Pset_deflate");
    return creation;
}

}  // namespace

Handle::Handle(hid_t id, Closer closer, const char* what) : id_(check(id, what)), closer_(closer) {}

Handle::~Handle() {
    if (id_ >= 0 && closer_) closer_(id_);
}

void Handle::close(const char* what) {
    if (id_ < 0 || !closer_) return;
    const hid_t id = id_;
    id_ = H5I_INVALID_HID;
    check_status(closer_(id), what);
}

Handle::Handle(Handle&& other) noexcept : id_(other.id_), closer_(other.closer_) { other.id_ = H5I_INVALID_HID; }

Handle& Handle::operator=(Handle&& other) noexcept {
    if (this != &other) {
        if (id_ >= 0 && closer_) closer_(id_);
        id_ = other.id_;
        closer_ = other.closer_;
        other.id_ = H5I_INVALID_HID;
    }
    return *this;
}

Location Location::create_group(const std::string& name) const {
    return Location(Handle(H5Gcreate2(id(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                           "H5Gcreate2"));
}

Location Location::open_group(const std::string& name) const {
    return Location(Handle(H5Gopen2(id(), name.c_str(), H5P_DEFAULT), H5Gclose, "H5Gopen2"));
}

Location Location::open_or_create_group(const std::string& name) const {
    return has(name) ? open_group(name) : create_group(name);
}

bool Location::has(const std::string& name) const { return H5Lexists(id(), name.c_str(), H5P_DEFAULT) > 0; }

std::vector<std::string> Location::member_names() const {
    std::vector<std::string> names;
    check_status(H5Literate(
                     id(), H5_INDEX_NAME, H5_ITER_INC, nullptr,
                     [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
                         static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                         return 0;
                     },
                     &names),
                 "H5Literate");
    return names;
}

std::vector<std::string> Location::attribute_names() const {
    std::vector<std::string> names;
    hsize_t position = 0;
    check_status(H5Aiterate2(
                     id(), H5_INDEX_NAME, H5_ITER_INC, &position,
                     [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
                         static_cast<std::vector<std::string>*>(out)->emplace_back(name);
                         return 0;
                     },
                     &names),
                 "H5Aiterate2");
    return names;
}

std::size_t Location::dataset_length(const std::string& name) const {
    Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2");
    Handle space(H5Dget_space(dataset.id()), H5Sclose, "H5Dget_space");
    const auto points = H5Sget_simple_extent_npoints(space.id());
    if (points < 0) check_status(-1, "H5Sget_simple_extent_npoints");
    return static_cast<std::size_t>(points);
}

void Location::write_int64(const std::string& name, std::span<const int64_t> values, std::string_view description,
                           std::string_view units) const {
    write_dataset(name, simple_space(values.size()), H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), values.empty(),
                  description, units);
}

void Location::write_int64_matrix(const std::string& name, std::size_t rows, std::size_t columns,
                                  std::span<const int64_t> values, std::string_view description,
                                  std::string_view units, const DimensionLabels& labels) const {
    if (values.size() != rows * columns)
        throw std::invalid_argument("HDF5: matrix " + name + " needs rows * columns values");
    hsize_t dims[2] = {rows, columns};
    Handle space(H5Screate_simple(2, dims, nullptr), H5Sclose, "H5Screate_simple");
    write_dataset(name, space, H5T_STD_I64LE, H5T_NATIVE_INT64, values.data(), values.empty(), description, units,
                  labels);
}

void Location::write_float64(const std::string& name, std::span<const double> values, std::string_view description,
                             std::string_view units) const {
    write_dataset(name, simple_space(values.size()), H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(),
                  values.empty(), description, units);
}

void Location::write_strings(const std::string& name, const std::vector<std::string>& values,
                             std::string_view description) const {
    auto type = utf8_string_type();
    std::vector<const char*> pointers;
    pointers.reserve(values.size());
    for (const auto& v : values) pointers.push_back(v.c_str());
    write_dataset(name, simple_space(values.size()), type.id(), type.id(), pointers.data(), values.empty(),
                  description, {});
}

void Location::write_bytes(const std::string& name, std::span<const char> bytes, std::string_view description) const {
    // The work directory's opaque records are written once and read once by
    // regcensus itself: compressing them would only cost the analysis time.
    write_dataset(name, simple_space(bytes.size()), H5T_STD_U8LE, H5T_NATIVE_UCHAR, bytes.data(), bytes.empty(),
                  description, {}, {}, StorageLayout::contiguous);
}

void Location::write_dataset(const std::string& name, const Handle& space, hid_t file_type, hid_t memory_type,
                             const void* data, bool empty, std::string_view description, std::string_view units,
                             const DimensionLabels& labels, StorageLayout layout) const {
    const auto creation = layout == StorageLayout::contiguous ? Handle() : dataset_creation_properties(space, file_type);
    Handle dataset(H5Dcreate2(id(), name.c_str(), file_type, space.id(), H5P_DEFAULT,
                              creation.id() >= 0 ? creation.id() : H5P_DEFAULT, H5P_DEFAULT),
                   H5Dclose, "H5Dcreate2");
    // An empty dataset has nothing to write (and HDF5 refuses a null buffer).
    if (!empty) check_status(H5Dwrite(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "H5Dwrite");
    describe(dataset.id(), description, units);
    for (std::size_t dimension = 0; dimension < labels.size(); ++dimension)
        if (!labels[dimension].empty())
            check_status(H5DSset_label(dataset.id(), static_cast<unsigned>(dimension),
                                       std::string(labels[dimension]).c_str()),
                         "H5DSset_label");
}

std::vector<char> Location::read_bytes(const std::string& name) const {
    Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2");
    Handle space(H5Dget_space(dataset.id()), H5Sclose, "H5Dget_space");
    std::vector<char> bytes(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())));
    if (!bytes.empty())
        check_status(H5Dread(dataset.id(), H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), "H5Dread");
    return bytes;
}

namespace {

// Elements [start, start + count) of the 1-D dataset `name`: the dataset, the
// file space with that range selected and the matching memory space. Every
// ranged read goes through here, so each checks its range the same way.
struct RangeSelection {
    Handle dataset, file_space, memory_space;
};

RangeSelection select_range(hid_t location, const std::string& name, std::size_t start, std::size_t count) {
    RangeSelection selection;
    selection.dataset = Handle(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2");
    selection.file_space = Handle(H5Dget_space(selection.dataset.id()), H5Sclose, "H5Dget_space");
    const auto length = static_cast<std::size_t>(H5Sget_simple_extent_npoints(selection.file_space.id()));
    if (start > length || count > length - start)
        throw std::out_of_range("h5: " + name + " has no elements [" + std::to_string(start) + ", " +
                                std::to_string(start + count) + ")");
    const hsize_t first = start, n = count;
    if (count > 0)
        check_status(H5Sselect_hyperslab(selection.file_space.id(), H5S_SELECT_SET, &first, nullptr, &n, nullptr),
                     "H5Sselect_hyperslab");
    selection.memory_space = Handle(H5Screate_simple(1, &n, nullptr), H5Sclose, "H5Screate_simple");
    return selection;
}

// A whole numeric dataset, converted by HDF5 to `memory_type` (the C type of T).
template <typename T>
std::vector<T> read_numbers(hid_t location, const std::string& name, hid_t memory_type) {
    Handle dataset(H5Dopen2(location, name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2");
    Handle space(H5Dget_space(dataset.id()), H5Sclose, "H5Dget_space");
    std::vector<T> values(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())));
    if (!values.empty())
        check_status(H5Dread(dataset.id(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "H5Dread");
    return values;
}

// Elements [start, start + count) of a numeric dataset, as T (`memory_type`).
template <typename T>
std::vector<T> read_numbers_range(hid_t location, const std::string& name, std::size_t start, std::size_t count,
                                  hid_t memory_type) {
    const auto selection = select_range(location, name, start, count);
    std::vector<T> values(count);
    if (count > 0)
        check_status(H5Dread(selection.dataset.id(), memory_type, selection.memory_space.id(),
                             selection.file_space.id(), H5P_DEFAULT, values.data()),
                     "H5Dread");
    return values;
}

// Strings as read into `pointers` by `read`, which HDF5 allocated and is given back.
std::vector<std::string> take_strings(std::vector<char*>& pointers, hid_t type, hid_t space) {
    std::vector<std::string> values;
    values.reserve(pointers.size());
    for (char* p : pointers) values.emplace_back(p ? p : "");
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, pointers.data());
    return values;
}

}  // namespace

std::vector<char> Location::read_bytes_range(const std::string& name, std::size_t start, std::size_t count) const {
    return read_numbers_range<char>(id(), name, start, count, H5T_NATIVE_UCHAR);
}

std::vector<int64_t> Location::read_int64(const std::string& name) const {
    return read_numbers<int64_t>(id(), name, H5T_NATIVE_INT64);
}

std::vector<int64_t> Location::read_int64_range(const std::string& name, std::size_t start, std::size_t count) const {
    return read_numbers_range<int64_t>(id(), name, start, count, H5T_NATIVE_INT64);
}

std::vector<double> Location::read_float64(const std::string& name) const {
    return read_numbers<double>(id(), name, H5T_NATIVE_DOUBLE);
}

std::vector<std::string> Location::read_strings(const std::string& name) const {
    Handle dataset(H5Dopen2(id(), name.c_str(), H5P_DEFAULT), H5Dclose, "H5Dopen2");
    Handle space(H5Dget_space(dataset.id()), H5Sclose, "H5Dget_space");
    auto type = utf8_string_type();
    std::vector<char*> pointers(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space.id())), nullptr);
    if (pointers.empty()) return {};
    check_status(H5Dread(dataset.id(), type.id(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), "H5Dread");
    return take_strings(pointers, type.id(), space.id());
}

std::vector<std::string> Location::read_strings_range(const std::string& name, std::size_t start,
                                                      std::size_t count) const {
    const auto selection = select_range(id(), name, start, count);
    if (count == 0) return {};
    auto type = utf8_string_type();
    std::vector<char*> pointers(count, nullptr);
    check_status(H5Dread(selection.dataset.id(), type.id(), selection.memory_space.id(), selection.file_space.id(),
                         H5P_DEFAULT, pointers.data()),
                 "H5Dread");
    return take_strings(pointers, type.id(), selection.memory_space.id());
}

std::string Location::read_string_at(const std::string& name, std::size_t index) const {
    return read_strings_range(name, index, 1).front();
}

void Location::set_attribute(const std::string& name, std::string_view value) const {
    write_string_attribute(id(), name, value);
}

void Location::set_attribute(const std::string& name, int64_t value) const {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate");
    Handle attr(H5Acreate2(id(), name.c_str(), H5T_STD_I64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "H5Acreate2");
    check_status(H5Awrite(attr.id(), H5T_NATIVE_INT64, &value), "H5Awrite");
}

void Location::set_float64_attribute(const std::string& name, double value) const {
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate");
    Handle attr(H5Acreate2(id(), name.c_str(), H5T_IEEE_F64LE, space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "H5Acreate2");
    check_status(H5Awrite(attr.id(), H5T_NATIVE_DOUBLE, &value), "H5Awrite");
}

void Location::set_bool_attribute(const std::string& name, bool value) const {
    // HDF5 has no boolean type; h5py's convention is an int8 enum FALSE = 0, TRUE = 1.
    Handle type(H5Tenum_create(H5T_NATIVE_INT8), H5Tclose, "H5Tenum_create");
    for (const int8_t member : {int8_t{0}, int8_t{1}})
        check_status(H5Tenum_insert(type.id(), member ? "TRUE" : "FALSE", &member), "H5Tenum_insert");
    Handle space(H5Screate(H5S_SCALAR), H5Sclose, "H5Screate");
    Handle attr(H5Acreate2(id(), name.c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                "H5Acreate2");
    const int8_t stored = value ? 1 : 0;
    check_status(H5Awrite(attr.id(), type.id(), &stored), "H5Awrite");
}

std::string Location::string_attribute(const std::string& name) const { return read_string_attribute(id(), name); }

int64_t Location::int64_attribute(const std::string& name) const {
    Handle attr(H5Aopen(id(), name.c_str(), H5P_DEFAULT), H5Aclose, "H5Aopen");
    int64_t value = 0;
    check_status(H5Aread(attr.id(), H5T_NATIVE_INT64, &value), "H5Aread");
    return value;
}

File::File(Handle handle, std::string path) : Location(std::move(handle)), path_(std::move(path)) {}

File File::create(const std::string& path) {
    silence_library_errors();
    try {
        // SEMI: a close with objects still open fails instead of being put off
        // to the last of them, where its flush could fail unseen.
        Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "H5Pcreate");
        check_status(H5Pset_fclose_degree(access.id(), H5F_CLOSE_SEMI), "H5Pset_fclose_degree");
        return File(Handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.id()), H5Fclose, "H5Fcreate"),
                    path);
    } catch (const Error& e) {
        throw Error("cannot create " + path, e.cause());
    }
}

File File::open_read(const std::string& path) {
    silence_library_errors();
    try {
        return File(Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "H5Fopen"), path);
    } catch (const Error& e) {
        // The library's words for a file that is not HDF5 at all.
        const bool not_hdf5 = e.cause().find("file signature not found") != std::string::npos;
        throw Error("cannot open " + path, not_hdf5 ? "not an HDF5 file" : e.cause());
    }
}

void File::close() {
    if (id() < 0) return;
    const herr_t flushed = H5Fflush(id(), H5F_SCOPE_LOCAL);
    std::string cause = flushed < 0 ? take_error_cause() : std::string();
    try {
        handle().close("H5Fclose");
    } catch (const Error& e) {
        if (cause.empty()) cause = e.cause();
    }
    if (!cause.empty()) throw Error("cannot write " + path_, cause);
}

}  // namespace regcensus::h5

namespace regcensus::h5 {

hid_t checked(hid_t id, const char* what) { return check(id, what); }
void checked_status(herr_t status, const char* what) { check_status(status, what); }
Handle utf8_string_datatype() { return utf8_string_type(); }

}  // namespace regcensus::h5
