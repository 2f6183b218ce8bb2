#include "regcensus/h5/column_appender.hpp"

#include <stdexcept>

namespace regcensus::h5 {
namespace {

// 64 Ki rows per chunk: large enough for deflate to work on (paths compress
// well), small enough that reading one layer's rows reads little else.
constexpr hsize_t kChunkRows = 65536;
constexpr unsigned kDeflateLevel = 4;

void describe(hid_t dataset, std::string_view key, std::string_view value) {
    auto type = utf8_string_datatype();
    Handle space(checked(H5Screate(H5S_SCALAR), "H5Screate"), H5Sclose, "H5Screate");
    Handle attr(H5Acreate2(dataset, std::string(key).c_str(), type.id(), space.id(), H5P_DEFAULT, H5P_DEFAULT),
                H5Aclose, "H5Acreate2");
    const std::string copy(value);
    const char* pointer = copy.c_str();
    checked_status(H5Awrite(attr.id(), type.id(), &pointer), "H5Awrite");
}

}  // namespace

ColumnAppender::ColumnAppender(const Location& where, const std::string& name, Type type,
                               std::string_view description, std::string_view units)
    : parent_(H5Oopen(where.id(), ".", H5P_DEFAULT), H5Oclose, "H5Oopen"), name_(name),
      description_(description), units_(units), type_(type) {}

void ColumnAppender::create_dataset(std::size_t chunk_rows) {
    const hsize_t initial = 0, unlimited = H5S_UNLIMITED, chunk = chunk_rows;
    Handle space(H5Screate_simple(1, &initial, &unlimited), H5Sclose, "H5Screate_simple");
    Handle properties(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "H5Pcreate");
    checked_status(H5Pset_chunk(properties.id(), 1, &chunk), "H5Pset_chunk");
    if (type_ == Type::int64) checked_status(H5Pset_shuffle(properties.id()), "H5Pset_shuffle");
    checked_status(H5Pset_deflate(properties.id(), kDeflateLevel), "H5Pset_deflate");
    Handle string_type = utf8_string_datatype();
    const hid_t file_type = type_ == Type::int64 ? H5T_STD_I64LE : string_type.id();
    dataset_ = Handle(H5Dcreate2(parent_.id(), name_.c_str(), file_type, space.id(), H5P_DEFAULT, properties.id(),
                                 H5P_DEFAULT),
                      H5Dclose, "H5Dcreate2");
    describe(dataset_.id(), "description", description_);
    if (!units_.empty()) describe(dataset_.id(), "units", units_);
}

void ColumnAppender::append(std::span<const int64_t> values) {
    if (type_ != Type::int64) throw std::logic_error("h5: an int64 append to a string column");
    held_integers_.insert(held_integers_.end(), values.begin(), values.end());
    write_full_chunks();
}

void ColumnAppender::append(const std::vector<std::string>& values) {
    if (type_ != Type::string) throw std::logic_error("h5: a string append to an int64 column");
    held_strings_.insert(held_strings_.end(), values.begin(), values.end());
    write_full_chunks();
}

void ColumnAppender::finish() {
    const std::size_t held = held_integers_.size() + held_strings_.size();
    // Never written: one chunk of exactly the column's length (an empty column still needs a chunk size).
    if (!dataset_.valid()) create_dataset(held > 0 && held < kChunkRows ? held : kChunkRows);
    write_held(held);
}

void ColumnAppender::write_full_chunks() {
    const std::size_t held = held_integers_.size() + held_strings_.size();
    if (held >= kChunkRows) write_held(held - held % kChunkRows);
}

// Writes the first `count` held values and keeps the rest.
void ColumnAppender::write_held(std::size_t count) {
    if (count == 0) return;
    if (type_ == Type::int64) {
        extend_and_write(count, H5T_NATIVE_INT64, held_integers_.data());
        held_integers_.erase(held_integers_.begin(), held_integers_.begin() + static_cast<std::ptrdiff_t>(count));
        return;
    }
    std::vector<const char*> pointers;
    pointers.reserve(count);
    for (std::size_t i = 0; i < count; ++i) pointers.push_back(held_strings_[i].c_str());
    Handle type = utf8_string_datatype();
    extend_and_write(count, type.id(), pointers.data());
    held_strings_.erase(held_strings_.begin(), held_strings_.begin() + static_cast<std::ptrdiff_t>(count));
}

void ColumnAppender::extend_and_write(std::size_t count, hid_t memory_type, const void* data) {
    if (count == 0) return;
    if (!dataset_.valid()) create_dataset(kChunkRows);
    const hsize_t new_size = written_ + count;
    checked_status(H5Dset_extent(dataset_.id(), &new_size), "H5Dset_extent");
    Handle file_space(H5Dget_space(dataset_.id()), H5Sclose, "H5Dget_space");
    const hsize_t start = written_, n = count;
    checked_status(H5Sselect_hyperslab(file_space.id(), H5S_SELECT_SET, &start, nullptr, &n, nullptr),
                   "H5Sselect_hyperslab");
    Handle memory_space(H5Screate_simple(1, &n, nullptr), H5Sclose, "H5Screate_simple");
    checked_status(H5Dwrite(dataset_.id(), memory_type, memory_space.id(), file_space.id(), H5P_DEFAULT, data),
                   "H5Dwrite");
    written_ = new_size;
}

}  // namespace regcensus::h5
