#pragma once
// A minimal streaming JSON writer: objects, arrays, strings, numbers, booleans,
// appended to one std::string. Commas are placed automatically; members come
// out in the order written, so output is byte-for-byte deterministic. Strings
// are escaped per RFC 8259; bytes that are not valid UTF-8 follow the results
// contract's convention and are written as the text `\xNN`. Compact by
// default; pretty (indented) for files people read, such as the synth
// corpus's ground truth.
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
    // Pretty only: `block` puts each member of the container on its own
    // indented line; `inline_` keeps the container (and all inside it) on one line.
    enum class Layout { block, inline_ };

    explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

    JsonWriter& begin_object(Layout layout = Layout::block);
    JsonWriter& end_object();
    JsonWriter& begin_array(Layout layout = Layout::block);
    JsonWriter& end_array();
    // The name of the next member of the enclosing object.
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(int64_t number);
    JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
    JsonWriter& value(uint64_t number);
    JsonWriter& value(double number);  // as Python's json: 2.0, 0.25, 1e+20; non-finite values as null
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
    struct Level {
        bool block;                // its elements on lines of their own (pretty only)
        bool has_element = false;
    };
    void before_value();
    template <typename Number>
    JsonWriter& number(Number value);  // in the shortest form that reads back the same
    void open(char bracket, Layout layout);
    void close(char bracket);
    void newline_indent(std::size_t depth);

    bool pretty_;
    std::string out_;
    std::vector<Level> levels_;  // the open containers
    bool after_key_ = false;
};

}  // namespace regcensus
