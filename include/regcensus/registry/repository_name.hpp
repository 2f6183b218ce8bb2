#pragma once
// The names a registry lists, checked against the grammar of the distribution
// spec before anything is requested or recorded with them: a name from a
// listing is text a registry chose, and a space or a `../` in it must never
// become part of a URL, a journal line or a reference.
#include <string_view>

namespace regcensus {

inline constexpr size_t kMaxRepositoryNameLength = 255;  // distribution/reference NameTotalLengthMax
inline constexpr size_t kMaxTagNameLength = 128;

// path-component: [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool is_repository_path_component(std::string_view component);

// path-component ( "/" path-component )*, at most 255 characters. A name with a
// host (`ghcr.io/x`) is a reference, not a repository name: its first component
// fails the rule when it holds a ':', passes when it is only dotted lowercase.
bool is_repository_name(std::string_view name);

// [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
bool is_tag_name(std::string_view tag);

}  // namespace regcensus
