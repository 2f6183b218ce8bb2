#pragma once
// A thin RAII layer over the HDF5 C API, just what the results file needs:
// groups, 1-D int64 and variable-length UTF-8 string datasets, and scalar
// attributes. Every dataset is written with its `description` (and `units`
// where given), the convention of the results contract.
//
// HDF5's own printing of error stacks is turned off: a failure throws h5::Error
// with one line (the call and its cause, e.g. "No space left on device").
#include <hdf5.h>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus::h5 {

// A failed HDF5 call. cause() is the reason alone (the system error when the
// library reports one, else HDF5's innermost message), for messages that name
// the file themselves.
class Error : public std::runtime_error {
public:
    Error(const std::string& what, std::string cause) : std::runtime_error(what + ": " + cause), cause_(std::move(cause)) {}
    const std::string& cause() const { return cause_; }

private:
    std::string cause_;
};

// Owns one hid_t and closes it with the matching H5*close function.
class Handle {
public:
    using Closer = herr_t (*)(hid_t);
    Handle() = default;
    Handle(hid_t id, Closer closer, const char* what);
    ~Handle();
    Handle(Handle&& other) noexcept;
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    hid_t id() const { return id_; }
    bool valid() const { return id_ != H5I_INVALID_HID; }
    // Closes now and throws h5::Error if the close fails (the destructor stays
    // silent, for unwinding).
    void close(const char* what);

private:
    hid_t id_ = H5I_INVALID_HID;
    Closer closer_ = nullptr;
};

// A file or a group: both hold datasets, groups and attributes.
class Location {
public:
    explicit Location(Handle handle) : handle_(std::move(handle)) {}
    hid_t id() const { return handle_.id(); }

    Location create_group(const std::string& name) const;
    Location open_group(const std::string& name) const;
    // A table several writers fill (e.g. /image_layers): the first one creates it.
    Location open_or_create_group(const std::string& name) const;
    bool has(const std::string& name) const;
    std::vector<std::string> member_names() const;  // links of a group, in name order
    std::vector<std::string> attribute_names() const;
    // Elements of the 1-D dataset `name`, without reading them.
    std::size_t dataset_length(const std::string& name) const;

    void write_int64(const std::string& name, std::span<const int64_t> values, std::string_view description,
                     std::string_view units = {}) const;
    void write_float64(const std::string& name, std::span<const double> values, std::string_view description,
                       std::string_view units = {}) const;
    void write_strings(const std::string& name, const std::vector<std::string>& values,
                       std::string_view description) const;
    // What each dimension of a dataset counts ("layers", "bins"), written as
    // HDF5 dimension labels (H5DS; h5py: dataset.dims[i].label).
    using DimensionLabels = std::array<std::string_view, 2>;
    // A 2-D int64 dataset of `rows` x `columns`, `values` in row-major order
    // (values.size() == rows * columns).
    void write_int64_matrix(const std::string& name, std::size_t rows, std::size_t columns,
                            std::span<const int64_t> values, std::string_view description,
                            std::string_view units = {}, const DimensionLabels& labels = {}) const;
    std::vector<int64_t> read_int64(const std::string& name) const;
    // Elements [start, start + count) of a 1-D dataset, without reading the
    // others (std::out_of_range past its end); also for strings below.
    std::vector<int64_t> read_int64_range(const std::string& name, std::size_t start, std::size_t count) const;
    std::vector<double> read_float64(const std::string& name) const;
    // Opaque bytes (uint8), for the work directory's internal records.
    void write_bytes(const std::string& name, std::span<const char> bytes, std::string_view description) const;
    std::vector<char> read_bytes(const std::string& name) const;
    // Elements [start, start + count) of a 1-D uint8 dataset, without reading the others.
    std::vector<char> read_bytes_range(const std::string& name, std::size_t start, std::size_t count) const;
    std::vector<std::string> read_strings(const std::string& name) const;
    std::vector<std::string> read_strings_range(const std::string& name, std::size_t start, std::size_t count) const;
    // Element `index` of a 1-D string dataset, without reading the others.
    std::string read_string_at(const std::string& name, std::size_t index) const;

    void set_attribute(const std::string& name, std::string_view value) const;
    void set_attribute(const std::string& name, int64_t value) const;
    // Not set_attribute overloads: a string literal would convert to bool or
    // double before string_view.
    void set_float64_attribute(const std::string& name, double value) const;
    void set_bool_attribute(const std::string& name, bool value) const;  // h5py reads numpy.bool_
    std::string string_attribute(const std::string& name) const;
    int64_t int64_attribute(const std::string& name) const;

protected:
    Handle& handle() { return handle_; }

private:
    // chunked_if_large: chunked and compressed from a size on (h5_location.cpp).
    enum class StorageLayout { chunked_if_large, contiguous };
    // Creates dataset `name` of `file_type` over `space`, writes `data` (in
    // `memory_type`) unless `empty`, and attaches the description, units and
    // dimension labels.
    void write_dataset(const std::string& name, const Handle& space, hid_t file_type, hid_t memory_type,
                       const void* data, bool empty, std::string_view description, std::string_view units,
                       const DimensionLabels& labels = {},
                       StorageLayout layout = StorageLayout::chunked_if_large) const;

    Handle handle_;
};

class File : public Location {
public:
    // Both throw h5::Error "cannot create|open PATH: cause".
    static File create(const std::string& path);  // truncates
    static File open_read(const std::string& path);

    // Flushes and closes, checked: throws h5::Error when either fails, so that
    // a file is trusted only after everything reached the disk. All groups and
    // datasets opened from it must be closed first.
    void close();
    const std::string& path() const { return path_; }

private:
    File(Handle handle, std::string path);
    std::string path_;
};

}  // namespace regcensus::h5

namespace regcensus::h5 {

// For writers built on the C API beside Location (column_appender.hpp): the
// same one-line errors and the same string type as Location's own datasets.
hid_t checked(hid_t id, const char* what);
void checked_status(herr_t status, const char* what);
Handle utf8_string_datatype();

}  // namespace regcensus::h5
