#include "regcensus/util/digest.hpp"

#include <algorithm>

#include "regcensus/util/data_error.hpp"

namespace regcensus {

namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool is_encoded_char(char c) {
    return is_lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '=' || c == '_' || c == '-';
}
bool is_separator(char c) { return c == '+' || c == '.' || c == '_' || c == '-'; }

// algorithm-component (algorithm-separator algorithm-component)*
bool is_algorithm(std::string_view text) {
    bool after_component = false;  // false at the start and right after a separator
    for (char c : text) {
        if (is_lower_alnum(c)) {
            after_component = true;
        } else if (is_separator(c) && after_component) {
            after_component = false;
        } else {
            return false;
        }
    }
    return after_component;
}

std::optional<DigestAlgorithm> registered_algorithm(std::string_view name) {
    if (name == "sha256") return DigestAlgorithm::sha256;
    if (name == "sha512") return DigestAlgorithm::sha512;
    return std::nullopt;
}

size_t hex_length(DigestAlgorithm algorithm) { return algorithm == DigestAlgorithm::sha256 ? 64 : 128; }

// Keeps a refused digest readable in an error message without letting a
// registry put control characters or megabytes into logs and results.
std::string printable_excerpt(std::string_view text) {
    constexpr size_t kMaxShown = 160;
    std::string shown;
    for (char c : text.substr(0, kMaxShown)) {
        const auto u = static_cast<unsigned char>(c);
        shown += (u < 0x20 || u >= 0x7f) ? '?' : c;
    }
    if (text.size() > kMaxShown) shown += "...";
    return shown;
}

}  // namespace

std::string_view digest_algorithm_name(DigestAlgorithm algorithm) {
    return algorithm == DigestAlgorithm::sha256 ? "sha256" : "sha512";
}

bool matches_digest_grammar(std::string_view text) {
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos) return false;
    const std::string_view encoded = text.substr(colon + 1);
    return is_algorithm(text.substr(0, colon)) && !encoded.empty() &&
           std::all_of(encoded.begin(), encoded.end(), is_encoded_char);
}

std::optional<Digest> Digest::parse(std::string_view text) {
    if (!matches_digest_grammar(text)) return std::nullopt;
    const size_t colon = text.find(':');
    const auto algorithm = registered_algorithm(text.substr(0, colon));
    if (!algorithm) return std::nullopt;
    const std::string_view encoded = text.substr(colon + 1);
    if (encoded.size() != hex_length(*algorithm) || !std::all_of(encoded.begin(), encoded.end(), is_lower_hex))
        return std::nullopt;
    return Digest(*algorithm, std::string(text));
}

Digest Digest::parse_or_throw(std::string_view text, std::string_view where) {
    if (auto digest = parse(text)) return *std::move(digest);
    std::string reason;
    if (!matches_digest_grammar(text))
        reason = "is not an OCI digest (algorithm:encoded)";
    else if (!registered_algorithm(text.substr(0, text.find(':'))))
        reason = "names an algorithm regcensus does not verify (only sha256 and sha512)";
    else
        reason = "does not have the exact encoding of its algorithm (lowercase hex of its length)";
    throw DataError("invalid_digest", std::string(where) + ": digest '" + printable_excerpt(text) + "' " + reason);
}

std::filesystem::path Digest::relative_path() const {
    return std::filesystem::path("blobs") / std::string(algorithm_name()) / std::string(encoded());
}

bool is_valid_digest(std::string_view text) { return Digest::parse(text).has_value(); }

}  // namespace regcensus
