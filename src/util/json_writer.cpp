#include "regcensus/util/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace regcensus {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence starting at text[i], or 0 if the byte
// there does not start one (overlong forms, surrogates and code points above
// U+10FFFF are invalid).
std::size_t valid_utf8_sequence_at(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80) return 1;
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        if (lead == 0xe0) low = 0xa0;
        if (lead == 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        if (lead == 0xf0) low = 0x90;
        if (lead == 0xf4) high = 0x8f;
    } else {
        return 0;
    }
    if (text.size() - i < length) return 0;
    if (byte(i + 1) < low || byte(i + 1) > high) return 0;
    for (std::size_t k = 2; k < length; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
    return length;
}

void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    std::size_t i = 0;
    while (i < text.size()) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t length = valid_utf8_sequence_at(text, i);
            if (length == 0) {  // the contract's \xNN, its backslash escaped for JSON
                out += "\\\\x";
                out += kHex[c >> 4];
                out += kHex[c & 15];
                ++i;
            } else {
                out.append(text.substr(i, length));
                i += length;
            }
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20 || c == 0x7f) {
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
        }
        ++i;
    }
    out += '"';
}

}  // namespace

void append_escaped_invalid_utf8(std::string& out, std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        // Fast path: runs of ASCII are copied as they are.
        std::size_t run = i;
        while (run < text.size() && static_cast<unsigned char>(text[run]) < 0x80) ++run;
        out.append(text.substr(i, run - i));
        i = run;
        if (i == text.size()) break;
        const std::size_t length = valid_utf8_sequence_at(text, i);
        if (length == 0) {
            const unsigned char c = static_cast<unsigned char>(text[i]);
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
            ++i;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
}

std::string escape_invalid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_escaped_invalid_utf8(out, text);
    return out;
}

void JsonWriter::newline_indent(std::size_t depth) {
    out_ += '\n';
    out_.append(depth * 2, ' ');
}

void JsonWriter::before_value() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (levels_.empty()) return;
    Level& level = levels_.back();
    if (level.has_element) out_ += ',';
    if (pretty_ && level.block)
        newline_indent(levels_.size());
    else if (pretty_ && level.has_element)
        out_ += ' ';
    level.has_element = true;
}

void JsonWriter::open(char bracket, Layout layout) {
    before_value();
    // A block inside an inline container would break its line: it stays inline too.
    const bool parent_block = levels_.empty() || levels_.back().block;
    levels_.push_back(Level{layout == Layout::block && parent_block});
    out_ += bracket;
}

void JsonWriter::close(char bracket) {
    if (levels_.empty() || after_key_) throw std::logic_error("JsonWriter: close without a matching open");
    const Level level = levels_.back();
    levels_.pop_back();
    if (pretty_ && level.block && level.has_element) newline_indent(levels_.size());
    out_ += bracket;
    if (pretty_ && levels_.empty()) out_ += '\n';
}

JsonWriter& JsonWriter::begin_object(Layout layout) {
    open('{', layout);
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    close('}');
    return *this;
}

JsonWriter& JsonWriter::begin_array(Layout layout) {
    open('[', layout);
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    close(']');
    return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
    before_value();
    append_json_string(out_, name);
    out_ += pretty_ ? ": " : ":";
    after_key_ = true;
    return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
    before_value();
    append_json_string(out_, text);
    return *this;
}

template <typename Number>
JsonWriter& JsonWriter::number(Number value) {
    before_value();
    char buffer[32];  // the shortest round-trip form of any int64, uint64 or double fits
    const auto end = std::to_chars(buffer, buffer + sizeof buffer, value).ptr;
    out_.append(buffer, end);
    return *this;
}

JsonWriter& JsonWriter::value(int64_t number) { return this->number(number); }
JsonWriter& JsonWriter::value(uint64_t number) { return this->number(number); }

JsonWriter& JsonWriter::value(double number) {
    if (!std::isfinite(number)) return null();
    char buffer[32];
    const std::string_view text(buffer, std::to_chars(buffer, buffer + sizeof buffer, number).ptr);
    before_value();
    out_ += text;
    // A double reads back as a double, as Python's json writes it: 1.0, not 1.
    if (text.find_first_of(".e") == std::string_view::npos) out_ += ".0";
    return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
    before_value();
    out_ += flag ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::null() {
    before_value();
    out_ += "null";
    return *this;
}

void JsonWriter::clear() {
    out_.clear();
    levels_.clear();
    after_key_ = false;
}

}  // namespace regcensus
