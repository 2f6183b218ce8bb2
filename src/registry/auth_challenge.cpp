#include "regcensus/registry/auth_challenge.hpp"

#include <cctype>

namespace regcensus {

namespace {

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lowercase(std::string_view text) {
    std::string lower(text);
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    return lower;
}

void skip_spaces(std::string_view text, size_t& at) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
}

std::string read_token(std::string_view text, size_t& at) {
    const size_t start = at;
    while (at < text.size() && is_token_char(text[at])) ++at;
    return std::string(text.substr(start, at - start));
}

std::string read_quoted(std::string_view text, size_t& at) {
    std::string value;
    ++at;  // the opening quote
    while (at < text.size() && text[at] != '"') {
        if (text[at] == '\\' && at + 1 < text.size()) ++at;
        value += text[at++];
    }
    if (at < text.size()) ++at;  // the closing quote
    return value;
}

}  // namespace

std::vector<AuthChallenge> parse_www_authenticate(std::string_view header) {
    std::vector<AuthChallenge> challenges;
    size_t at = 0;
    while (at < header.size()) {
        skip_spaces(header, at);
        if (at < header.size() && header[at] == ',') {
            ++at;
            continue;
        }
        std::string word = read_token(header, at);
        if (word.empty()) {
            ++at;  // not a token: skip a stray character
            continue;
        }
        skip_spaces(header, at);
        if (at < header.size() && header[at] == '=' && !challenges.empty()) {
            // An auth-param of the current challenge.
            ++at;
            skip_spaces(header, at);
            std::string value = at < header.size() && header[at] == '"' ? read_quoted(header, at)
                                                                          : read_token(header, at);
            challenges.back().params[lowercase(word)] = std::move(value);
            skip_spaces(header, at);
            if (at < header.size() && header[at] == ',') ++at;
            continue;
        }
        challenges.push_back({lowercase(word), {}});
    }
    return challenges;
}

}  // namespace regcensus
