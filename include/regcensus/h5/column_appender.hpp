#pragma once
// A 1-D column written in pieces: an extendible, chunked, deflate-compressed
// dataset (int64 or variable-length UTF-8) that grows by append(), for tables
// too large to hold in memory at once (/files). Described like every dataset.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "regcensus/h5/h5_location.hpp"

namespace regcensus::h5 {

class ColumnAppender {
public:
    enum class Type { int64, string };
    ColumnAppender(const Location& where, const std::string& name, Type type, std::string_view description,
                   std::string_view units = {});
    void append(std::span<const int64_t> values);
    void append(const std::vector<std::string>& values);
    std::size_t size() const { return size_; }

private:
    void extend_and_write(std::size_t count, hid_t memory_type, const void* data);

    Handle dataset_;
    Type type_;
    std::size_t size_ = 0;
};

}  // namespace regcensus::h5
