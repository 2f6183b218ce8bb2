// The libmagic comparison: regcensus's file-type probe against libmagic on
// every regular file of real trees, each a tar: the Debian minbase root
// filesystem (build-minbase-rootfs.sh) and the python3.11, perl and npm
// (express, lodash, moment) trees of build-package-trees.sh. Pass 1 is the
// real analyser (analyze_layer) and its FileRecord types; pass 2 reads the
// same tar again and hands each file's whole content to libmagic
// (description and MIME type), mapped to families and kinds by
// libmagic_mapping. Counted plainly: a different family is a mismatch,
// whoever is right. Exit status 0 when on every tree at least 97% of the
// files have libmagic's family and at least 90% of libmagic's code files
// have libmagic's kind.
//
//   regcensus_libmagic_check [--list] TAR...     (--list: one line per file)
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include <magic.h>

#include "archive_reader.hpp"
#include "decompressor.hpp"
#include "libmagic_mapping.hpp"
#include "magic_cookie.hpp"
#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/util/file_byte_source.hpp"
#include "tar_stream.hpp"
#include "verified_input.hpp"

namespace {

using namespace regcensus;

constexpr double kRequiredFamilies = 0.97;
constexpr double kRequiredCodeKinds = 0.90;

struct Verdict {
    std::string description;
    std::string mime;
    FileType category = FileType::data;
};

// Pass 2: every regular file's content through libmagic, in tar order.
std::vector<Verdict> libmagic_verdicts(const std::string& tar_path) {
    const libmagic::MagicCookie describe(MAGIC_NONE);
    const libmagic::MagicCookie mime(MAGIC_MIME_TYPE);
    FileByteSource source(tar_path);
    layer::VerifiedInput input(source);
    const auto decompressor = layer::make_decompressor(input.sniff_compression(), input);
    const LayerLimits limits;
    layer::TarStream stream(*decompressor, limits);
    layer::ArchiveReader reader(stream);
    std::vector<Verdict> verdicts;
    std::string content;
    layer::TarEntry entry;
    while (reader.next_entry(entry)) {
        if (entry.kind != layer::EntryKind::regular) continue;
        content.assign(static_cast<std::size_t>(entry.size), '\0');
        layer::DataBlock block;
        while (reader.read_block(block))
            std::copy(block.bytes.begin(), block.bytes.end(),
                      reinterpret_cast<std::byte*>(content.data()) + block.offset);
        Verdict& v = verdicts.emplace_back();
        v.description = describe.describe(content);
        v.mime = mime.describe(content);
        v.category = libmagic::category_of(v.description, v.mime);
    }
    return verdicts;
}

struct TreeFigures {
    std::size_t files = 0, same_family = 0, same_kind = 0, code_files = 0, code_same_kind = 0;
};

// One tree: both passes, the figures, and the confusion table of its mismatches.
bool compare_tree(const std::string& tar_path, bool list, TreeFigures& t) {
    FileByteSource source(tar_path);
    const LayerAnalysis analysis = analyze_layer(source, {});
    if (!analysis.profile.ok()) {
        std::cerr << tar_path << ": analyze_layer: " << analysis.profile.status << ": " << analysis.profile.error
                  << '\n';
        return false;
    }
    const std::vector<Verdict> verdicts = libmagic_verdicts(tar_path);
    if (verdicts.size() != analysis.files.size()) {
        std::cerr << tar_path << ": the two passes disagree on the regular files: " << analysis.files.size()
                  << " vs " << verdicts.size() << '\n';
        return false;
    }
    // (ours, theirs) -> examples; kinds differing inside one family are listed too
    std::map<std::pair<FileType, FileType>, std::vector<std::string>> mismatches;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        const FileRecord& f = analysis.files[i];
        const Verdict& v = verdicts[i];
        const bool family = file_type_family(f.type) == file_type_family(v.category);
        const bool kind = f.type == v.category;
        ++t.files;
        t.same_family += family;
        t.same_kind += kind;
        if (file_type_family(v.category) == "code") {
            ++t.code_files;
            t.code_same_kind += kind;
        }
        if (list)
            std::cout << (kind ? "same " : family ? "KIND " : "DIFF ") << file_type_name(f.type) << '\t'
                      << file_type_name(v.category) << '\t' << f.path << '\t' << v.mime << '\t' << v.description
                      << '\n';
        if (!kind) mismatches[{f.type, v.category}].push_back(f.path + "  [" + v.description + "]");
    }
    const auto pct = [](std::size_t a, std::size_t b) { return b == 0 ? 100.0 : 100.0 * double(a) / double(b); };
    std::printf("%s: %zu regular files; family as libmagic %zu (%.2f%%, required %.0f%%); kind as libmagic %zu "
                "(%.2f%%); code files %zu, kind as libmagic %zu (%.2f%%, required %.0f%%)\n",
                tar_path.c_str(), t.files, t.same_family, pct(t.same_family, t.files), 100 * kRequiredFamilies,
                t.same_kind, pct(t.same_kind, t.files), t.code_files, t.code_same_kind,
                pct(t.code_same_kind, t.code_files), 100 * kRequiredCodeKinds);
    std::vector<std::pair<std::size_t, std::pair<FileType, FileType>>> order;
    for (const auto& [key, examples] : mismatches) order.push_back({examples.size(), key});
    std::sort(order.rbegin(), order.rend());
    std::printf("  confusion table of the mismatches (files, ours, libmagic's):\n");
    for (const auto& [count, key] : order) {
        const bool family = file_type_family(key.first) == file_type_family(key.second);
        std::printf("  %5zu  %-4s ours %-20s libmagic %s\n", count, family ? "kind" : "FAM",
                    std::string(file_type_name(key.first)).c_str(), std::string(file_type_name(key.second)).c_str());
        const auto& examples = mismatches[key];
        for (std::size_t e = 0; e < std::min<std::size_t>(3, examples.size()); ++e)
            std::printf("           %s\n", examples[e].c_str());
    }
    return pct(t.same_family, t.files) >= 100 * kRequiredFamilies &&
           pct(t.code_same_kind, t.code_files) >= 100 * kRequiredCodeKinds;
}

}  // namespace

int main(int argc, char** argv) {
    bool list = false;
    std::vector<std::string> trees;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--list") list = true;
        else trees.push_back(arg);
    }
    if (trees.empty()) {
        std::cerr << "usage: regcensus_libmagic_check [--list] TAR...\n";
        return 2;
    }
    bool all = true;
    for (const auto& tree : trees) {
        TreeFigures figures;
        all = compare_tree(tree, list, figures) && all;
    }
    std::printf("libmagic comparison: %s\n", all ? "every tree meets the targets" : "a tree misses a target");
    return all ? 0 : 1;
}
