#pragma once
// Content digests as the OCI image spec writes them, `algorithm:encoded`.
// A Digest can only be made by the strict parser below, so holding one proves
// the text is a registered algorithm with its exact encoding: such a digest
// is safe to put in a path (`blobs/<algorithm>/<encoded>`) or a request URL.
// Everything read from outside (manifests, references, index.json, plans) is
// parsed once, at the boundary; a refusal is DataError "invalid_digest".
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace regcensus {

// The registered algorithms of the OCI image spec that regcensus verifies.
enum class DigestAlgorithm { sha256, sha512 };

std::string_view digest_algorithm_name(DigestAlgorithm algorithm);

class Digest {
public:
    // nullopt unless `text` matches the OCI digest grammar, names sha256 (64
    // lowercase hex digits) or sha512 (128 lowercase hex digits).
    static std::optional<Digest> parse(std::string_view text);
    // As parse, but a refusal throws DataError("invalid_digest") naming `where`.
    static Digest parse_or_throw(std::string_view text, std::string_view where);

    DigestAlgorithm algorithm() const { return algorithm_; }
    std::string_view algorithm_name() const { return digest_algorithm_name(algorithm_); }
    std::string_view encoded() const { return std::string_view(text_).substr(text_.find(':') + 1); }
    const std::string& str() const { return text_; }
    // "blobs/<algorithm>/<encoded>": relative, two plain components below blobs/.
    std::filesystem::path relative_path() const;

    bool operator==(const Digest&) const = default;
    auto operator<=>(const Digest&) const = default;

private:
    Digest(DigestAlgorithm algorithm, std::string text) : algorithm_(algorithm), text_(std::move(text)) {}
    DigestAlgorithm algorithm_;
    std::string text_;
};

// True when Digest::parse accepts `text`.
bool is_valid_digest(std::string_view text);

// True for text of the OCI digest grammar (any algorithm, any encoding):
// `[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`. Only the grammar: an unknown
// algorithm matches it and is still refused by Digest::parse.
bool matches_digest_grammar(std::string_view text);

}  // namespace regcensus
