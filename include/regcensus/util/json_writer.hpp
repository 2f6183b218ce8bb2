#pragma once
// A minimal streaming JSON writer: objects, arrays, strings, numbers, booleans,
// appended to one std::string. Commas are placed automatically. Strings are
// escaped per RFC 8259; bytes that are not valid UTF-8 follow the results
// contract's convention and are written as the text `\xNN`.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace regcensus {

// `text` with every byte that is not part of a valid UTF-8 sequence replaced by
// the four characters `\xNN` (lowercase hex). Valid text is returned unchanged.
std::string escape_invalid_utf8(std::string_view text);
void append_escaped_invalid_utf8(std::string& out, std::string_view text);

class JsonWriter {
public:
    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    // The name of the next member of the enclosing object.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(int64_t number);
    JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
    JsonWriter& value(uint64_t number);
    JsonWriter& value(double number);  // non-finite values are written as null
    JsonWriter& value(bool flag);
    JsonWriter& null();

    // Shorthand for key(name).value(v).
    template <typename T>
    JsonWriter& member(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    const std::string& str() const { return out_; }
    std::string take() { return std::move(out_); }
    void clear();

private:
    void before_value();

    std::string out_;
    // One flag per open container: whether it already holds an element.
    std::vector<bool> has_element_;
    bool after_key_ = false;
};

}  // namespace regcensus
