#include "regcensus/util/base64.hpp"

#include <cstdint>

namespace regcensus {

namespace {
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view bytes) {
    std::string encoded;
    encoded.reserve((bytes.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const uint32_t word = uint32_t(uint8_t(bytes[i])) << 16 | uint32_t(uint8_t(bytes[i + 1])) << 8 |
                              uint32_t(uint8_t(bytes[i + 2]));
        for (int shift = 18; shift >= 0; shift -= 6) encoded += kAlphabet[(word >> shift) & 63];
    }
    const size_t rest = bytes.size() - i;
    if (rest > 0) {
        uint32_t word = uint32_t(uint8_t(bytes[i])) << 16;
        if (rest == 2) word |= uint32_t(uint8_t(bytes[i + 1])) << 8;
        encoded += kAlphabet[(word >> 18) & 63];
        encoded += kAlphabet[(word >> 12) & 63];
        encoded += rest == 2 ? kAlphabet[(word >> 6) & 63] : '=';
        encoded += '=';
    }
    return encoded;
}

namespace {

// One decoder for both alphabets: base64url (JWS) adds '-' and '_' and allows no whitespace.
std::optional<std::string> decode(std::string_view text, bool url_alphabet) {
    std::string decoded;
    uint32_t buffer = 0;
    int bits = 0;
    for (char c : text) {
        int value;
        if (c >= 'A' && c <= 'Z') value = c - 'A';
        else if (c >= 'a' && c <= 'z') value = c - 'a' + 26;
        else if (c >= '0' && c <= '9') value = c - '0' + 52;
        else if (c == '+' || (url_alphabet && c == '-')) value = 62;
        else if (c == '/' || (url_alphabet && c == '_')) value = 63;
        else if (c == '=') break;
        else if (!url_alphabet && (c == '\n' || c == '\r' || c == ' ')) continue;
        else return std::nullopt;
        buffer = (buffer << 6) | uint32_t(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            decoded += char((buffer >> bits) & 0xff);
        }
    }
    return decoded;
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) { return decode(text, false); }

std::optional<std::string> base64url_decode(std::string_view text) { return decode(text, true); }

}  // namespace regcensus
