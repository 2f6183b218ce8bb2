// Content rules after libmagic 5.44's text magic (Magdir/perl, c-lang, python,
// ruby, javascript, commands), tried in the order of libmagic's strengths so
// that a file two rules fit gets libmagic's answer. One pass over the lines
// collects the evidence; no regex engine (libmagic compiles its regexes for
// every file, which is most of its 1 ms per text file).
#include "text_type.hpp"

#include <array>
#include <initializer_list>

namespace regcensus::layer {
namespace {

using namespace std::string_view_literals;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) { return is_alpha(c) || is_digit(c) || c == '_'; }

std::string_view skip_spaces(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && is_space(s[i])) ++i;
    return s.substr(i);
}
std::string_view trim_right(std::string_view s) {
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}
bool contains(std::string_view s, std::string_view part) { return s.find(part) != std::string_view::npos; }

// Removes `word` from the front of `s` when it is there.
bool eat(std::string_view& s, std::string_view word) {
    if (!s.starts_with(word)) return false;
    s.remove_prefix(word.size());
    return true;
}
// Removes a run of characters accepted by `accept`; how many were removed.
template <class Accept>
std::size_t eat_run(std::string_view& s, Accept accept) {
    std::size_t i = 0;
    while (i < s.size() && accept(s[i])) ++i;
    s.remove_prefix(i);
    return i;
}

// ^package[ \t]+[0-9A-Za-z_:]+ *;
bool is_perl_package(std::string_view line) {
    if (!eat(line, "package")) return false;
    if (eat_run(line, [](char c) { return c == ' ' || c == '\t'; }) == 0) return false;
    if (eat_run(line, [](char c) { return is_word(c) || c == ':'; }) == 0) return false;
    eat_run(line, [](char c) { return c == ' '; });
    return line.starts_with(';');
}

// The lines libmagic's C++ rules take (strength + 30).
bool is_cplusplus_line(std::string_view line) {
    std::string_view s = line;
    if (eat(s, "namespace") && eat_run(s, is_space) > 0) {
        if (std::size_t n = eat_run(s, [](char c) { return is_alpha(c) || c == '_'; }); n >= 1 && n <= 30)
            return skip_spaces(s).starts_with('{');
        return false;
    }
    s = line;
    if (eat(s, "using") && eat_run(s, is_space) > 0) {
        eat(s, "namespace ");
        return s.starts_with("std");
    }
    const std::string_view indented = skip_spaces(line);
    for (auto access : {"public:"sv, "private:"sv, "protected:"sv})
        if (indented.starts_with(access)) return true;
    s = indented;
    if (eat(s, "template") && skip_spaces(s).starts_with('<') && trim_right(s).ends_with('>')) return true;
    s = indented;
    if (eat(s, "virtual") && eat_run(s, is_space) > 0) {
        const std::string_view end = trim_right(s);
        return !end.empty() && (end.back() == '}' || end.back() == ';');
    }
    return false;
}

// ^[[:space:]]*end([[:space:]]+[;#].*)?$   (with `extra` also allowed after the blanks)
bool is_ruby_end(std::string_view line, std::string_view extra = {}) {
    std::string_view s = skip_spaces(line);
    if (!eat(s, "end")) return false;
    if (s.empty()) return true;
    if (eat_run(s, is_space) == 0) return false;
    if (s.empty()) return false;
    return s[0] == ';' || s[0] == '#' || extra.find(s[0]) != std::string_view::npos;
}

// ^[[:space:]]*require[[:space:]]'[A-Za-z_/.]+'
bool is_ruby_require(std::string_view line) {
    std::string_view s = skip_spaces(line);
    if (!eat(s, "require") || s.empty() || !is_space(s[0])) return false;
    s.remove_prefix(1);
    if (!eat(s, "'")) return false;
    if (eat_run(s, [](char c) { return is_alpha(c) || c == '_' || c == '/' || c == '.'; }) == 0) return false;
    return s.starts_with('\'');
}

// ^[[:space:]]*(class|module)[[:space:]][A-Z]
bool is_ruby_class(std::string_view line) {
    std::string_view s = skip_spaces(line);
    if (!eat(s, "class") && !eat(s, "module")) return false;
    return s.size() >= 2 && is_space(s[0]) && s[1] >= 'A' && s[1] <= 'Z';
}

// def [a-z]
bool has_ruby_def(std::string_view line) {
    for (std::size_t at = line.find("def "); at != std::string_view::npos; at = line.find("def ", at + 1))
        if (at + 4 < line.size() && line[at + 4] >= 'a' && line[at + 4] <= 'z') return true;
    return false;
}

// ^[[:space:]]*include\ ([A-Z]+[a-z]*(::))+
bool is_ruby_include(std::string_view line) {
    std::string_view s = skip_spaces(line);
    if (!eat(s, "include ")) return false;
    if (eat_run(s, [](char c) { return c >= 'A' && c <= 'Z'; }) == 0) return false;
    eat_run(s, [](char c) { return c >= 'a' && c <= 'z'; });
    return s.starts_with("::");
}

// ^from[ \t]+([A-Za-z0-9_]|\.)+[ \t]+import
bool is_python_from_import(std::string_view line) {
    if (!eat(line, "from")) return false;
    if (eat_run(line, [](char c) { return c == ' ' || c == '\t'; }) == 0) return false;
    if (eat_run(line, [](char c) { return is_word(c) || c == '.'; }) == 0) return false;
    if (eat_run(line, [](char c) { return c == ' ' || c == '\t'; }) == 0) return false;
    return line.starts_with("import");
}

// ^class [_[:alpha:]]+(\(.*\))?( )*:([ \t]+pass)?$
bool is_python_class(std::string_view line) {
    if (!eat(line, "class ")) return false;
    if (eat_run(line, [](char c) { return is_alpha(c) || c == '_'; }) == 0) return false;
    if (line.starts_with('(')) {
        const auto close = line.rfind(')');
        if (close == std::string_view::npos) return false;
        line.remove_prefix(close + 1);
    }
    eat_run(line, [](char c) { return c == ' '; });
    if (!eat(line, ":")) return false;
    if (line.empty()) return true;
    if (eat_run(line, [](char c) { return c == ' ' || c == '\t'; }) == 0) return false;
    return line == "pass";
}

// ^[[:space:]]{0,50}def\ {1,50}[_a-zA-Z]{1,100}\(([[:alpha:]*_,\ ]){0,255}\):$
bool is_python_def(std::string_view line) {
    std::string_view s = skip_spaces(line);
    if (!eat(s, "def")) return false;
    if (eat_run(s, [](char c) { return c == ' '; }) == 0) return false;
    if (eat_run(s, [](char c) { return is_alpha(c) || c == '_'; }) == 0) return false;
    if (!eat(s, "(")) return false;
    eat_run(s, [](char c) { return is_alpha(c) || c == '*' || c == '_' || c == ',' || c == ' '; });
    return s == "):";
}

// ^[[:space:]]*except.*:$
bool is_python_except(std::string_view line) {
    return skip_spaces(line).starts_with("except") && line.ends_with(':');
}

// ^[[:space:]]*(char|double|float)(\ \*|\*)(.+)(=.*)?;[[:space:]]*$
bool is_c_declaration(std::string_view line) {
    std::string_view s = skip_spaces(line);
    if (!eat(s, "char") && !eat(s, "double") && !eat(s, "float")) return false;
    if (!eat(s, " *") && !eat(s, "*")) return false;
    const std::string_view end = trim_right(s);
    return end.size() >= 2 && end.back() == ';';
}

// ^#[[:space:]]*WORD
bool is_preprocessor(std::string_view line, std::string_view word) {
    if (!eat(line, "#")) return false;
    return skip_spaces(line).starts_with(word);
}

// `(prefix).*(suffix)` on one line.
bool line_has_in_order(std::string_view line, std::string_view first, std::string_view second) {
    const auto at = line.find(first);
    return at != std::string_view::npos && line.find(second, at + first.size()) != std::string_view::npos;
}

bool is_javascript_line(std::string_view line) {
    std::string_view s = line;
    if (eat(s, "const") || eat(s, "var") || eat(s, "let")) return line_has_in_order(s, "=", "require(");
    s = line;
    if (eat(s, "export ")) {
        for (auto word : {"function "sv, "class "sv, "default "sv, "const "sv, "var "sv, "let "sv, "async "sv})
            if (s.starts_with(word)) return true;
        if (s.starts_with("\"./") || s.starts_with("'./") || contains(s, " from ")) return true;
    }
    s = line;
    if (eat(s, "import ") || eat(s, "import\t")) {
        if (s.starts_with("\"./") || s.starts_with("'./")) return true;
    }
    if (line.starts_with("import") && contains(line, " from ")) return true;
    return false;
}

// `word` somewhere in the text with `then` after it on the same line.
bool on_one_line(std::string_view text, std::string_view word, std::initializer_list<std::string_view> then) {
    for (std::size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
        const auto end = text.find('\n', at);
        const std::size_t from = at + word.size();
        const std::string_view rest = text.substr(from, end == std::string_view::npos ? end : end - from);
        for (auto t : then)
            if (contains(rest, t)) return true;
    }
    return false;
}

// libmagic's unanchored JavaScript rules, each searched once over the whole
// text rather than line by line (the small-file layers are made of such texts).
bool has_javascript_anywhere(std::string_view text) {
    return on_one_line(text, "module.exports", {"="}) || on_one_line(text, "module[\"exports", {"="}) ||
           on_one_line(text, "module['exports", {"="}) || on_one_line(text, "typeof", {"===", "!=="}) ||
           contains(text, "(function(") || contains(text, "(function ") || contains(text, "(async function(") ||
           contains(text, "(async function ");
}

// `first` followed within `window` bytes by one of `then`.
bool near(std::string_view text, std::string_view first, std::initializer_list<std::string_view> then,
          std::size_t window) {
    for (std::size_t at = text.find(first); at != std::string_view::npos; at = text.find(first, at + 1)) {
        const std::string_view after = text.substr(at + first.size(), window);
        for (auto t : then)
            if (contains(after, t)) return true;
    }
    return false;
}

// ^[ \t\f\r\n]{0,100}BEGIN[ \t\f\r\n]{0,100}{ in the first 4 KiB
bool has_awk_begin(std::string_view text) {
    text = text.substr(0, 4096);
    for (std::size_t at = text.find("BEGIN"); at != std::string_view::npos; at = text.find("BEGIN", at + 1)) {
        std::size_t start = at;
        while (start > 0 && is_space(text[start - 1]) && text[start - 1] != '\n') --start;
        if (start != 0 && text[start - 1] != '\n') continue;
        if (skip_spaces(text.substr(at + 5)).starts_with('{')) return true;
    }
    return false;
}

bool has_pod(std::string_view text) {
    text = text.substr(0, 1024);
    for (auto mark : {"=pod\n"sv, "=head1 "sv, "=head2 "sv, "=encoding "sv}) {
        const auto at = text.find(mark);
        if (at != std::string_view::npos) return true;
    }
    return false;
}

struct Evidence {
    bool perl_package = false, cplusplus = false, javascript = false;
    bool python = false, c_include = false, c_other = false;
    bool ifdef = false, after_ifdef = false;
    bool ruby_require = false, ruby_def_or_do = false, ruby_class = false, ruby_class_body = false;
    bool ruby_strong = false, ruby_weak = false, ruby_include = false;
    bool try_seen = false;
};

}  // namespace

FileType classify_text_content(std::string_view text) {
    Evidence e;
    // Words that per-line rules look for anywhere in a line: absent from the
    // whole text, those rules need not run line by line.
    const bool any_def = contains(text, "def "), any_try = contains(text, "try:");
    const std::string_view whole = text;
    bool ruby_def_line = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        const std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty()) continue;

        if (!e.perl_package && is_perl_package(line)) e.perl_package = true;
        if (!e.cplusplus && is_cplusplus_line(line)) e.cplusplus = true;
        if (!e.javascript && is_javascript_line(line)) e.javascript = true;

        if (!e.python) {
            if (is_python_from_import(line) || is_python_class(line) || is_python_def(line) ||
                (e.try_seen && is_python_except(line)))
                e.python = true;
            if (any_try && contains(line, "try:")) e.try_seen = true;
        }

        const char first = line[0];
        if (first == '#') {
            if (line.starts_with("#include")) e.c_include = true;
            if (is_preprocessor(line, "pragma")) e.c_other = true;
            if (is_preprocessor(line, "ifdef") || is_preprocessor(line, "ifndef")) e.ifdef = true;
            else if (e.ifdef && (is_preprocessor(line, "define") || is_preprocessor(line, "endif")))
                e.after_ifdef = true;
        } else if (line.starts_with("struct") || line.starts_with("union")) {
            std::string_view s = line;
            if ((eat(s, "struct") || eat(s, "union")) && !s.empty() && is_space(s[0])) e.c_other = true;
        }
        if (!e.c_other) {
            std::string_view s = skip_spaces(line);
            if (eat(s, "extern") && !s.empty() && is_space(s[0])) e.c_other = true;
            else if (is_c_declaration(line)) e.c_other = true;
        }

        if (is_ruby_require(line)) e.ruby_require = true;
        if (is_ruby_include(line)) e.ruby_include = true;
        const bool def_here = any_def && has_ruby_def(line);
        if (def_here || trim_right(line).ends_with(" do")) e.ruby_def_or_do = true;
        if (is_ruby_class(line)) e.ruby_class = true;
        if (e.ruby_class && (contains(line, "module ") || contains(line, "include ") || def_here))
            e.ruby_class_body = true;
        if (!ruby_def_line) {
            std::string_view s = skip_spaces(line);
            if (eat(s, "def ") && !s.empty() && s[0] >= 'a' && s[0] <= 'z') ruby_def_line = true;
        }
        if (is_ruby_end(line)) {
            if ((e.ruby_require && e.ruby_def_or_do) || e.ruby_class_body) e.ruby_strong = true;
            if (ruby_def_line) e.ruby_weak = true;
        }
        if (e.ruby_class && is_ruby_end(line, "if")) e.ruby_weak = true;
    }

    if (!e.python) {
        e.python = whole.starts_with("\"\"\"") || near(whole, "def __init__", {"self"}, 64) ||
                   near(whole, "if __name__", {"'__main__'", "\"__main__\""}, 64);
    }
    if (!e.javascript)
        e.javascript = contains(whole, "\"use strict\"") || contains(whole, "'use strict'") || has_javascript_anywhere(whole);
    if (!e.c_other && near(whole, "main(", {")"}, 64)) {
        if (near(whole, "main(", {"String"}, 64)) return FileType::code_java;
    }

    // In the order of libmagic's strengths: Perl5 module (+40, +75), C++ and
    // Ruby (+30), JavaScript (+20), Python (+15), C with #include (+13), the
    // rest (no bonus).
    if (e.perl_package) return FileType::code_perl;
    if (e.cplusplus) return FileType::code_c;
    if (e.ruby_strong) return FileType::code_ruby;
    if (e.javascript) return FileType::code_javascript;
    if (e.python) return FileType::code_python;
    if (e.c_include) return FileType::code_c;
    if (e.ruby_weak) return FileType::code_ruby;
    if (has_pod(whole)) return FileType::document_text;
    if (e.c_other || e.after_ifdef) return FileType::code_c;
    if (e.ruby_require || e.ruby_include) return FileType::code_ruby;
    if (has_awk_begin(whole)) return FileType::code_awk;
    return FileType::document_text;
}

}  // namespace regcensus::layer
