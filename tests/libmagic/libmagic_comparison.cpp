// The libmagic comparison: regcensus's file-type probe against libmagic on
// every regular file of a real root filesystem tar (Debian minbase, built by
// build-minbase-rootfs.sh). Pass 1 is the real analyser (analyze_layer) and
// its FileRecord types; pass 2 reads the same tar again and hands each file's
// whole content to libmagic (description and MIME type), mapped to our
// categories by libmagic_mapping. Exit status 0 when at least 99% agree.
//
//   regcensus_libmagic_check TAR [--list]     (--list: one line per file)
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

constexpr double kRequiredAgreement = 0.99;

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

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << "usage: regcensus_libmagic_check TAR [--list]\n";
        return 2;
    }
    const std::string tar_path = argv[1];
    const bool list = argc > 2 && std::string(argv[2]) == "--list";

    FileByteSource source(tar_path);
    const LayerAnalysis analysis = analyze_layer(source, {});
    if (!analysis.profile.ok()) {
        std::cerr << "analyze_layer: " << analysis.profile.status << ": " << analysis.profile.error << '\n';
        return 1;
    }
    const std::vector<Verdict> verdicts = libmagic_verdicts(tar_path);
    if (verdicts.size() != analysis.files.size()) {
        std::cerr << "the two passes disagree on the regular files: " << analysis.files.size() << " vs "
                  << verdicts.size() << '\n';
        return 1;
    }

    std::size_t agree = 0, strict = 0;
    // (ours, theirs) -> count and a few examples
    std::map<std::pair<FileType, FileType>, std::vector<std::string>> disagreements;
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        const FileRecord& f = analysis.files[i];
        const Verdict& v = verdicts[i];
        const bool ok = libmagic::agrees(f.type, v.category);
        agree += ok;
        strict += f.type == v.category;
        if (list)
            std::cout << (ok ? "same " : "DIFF ") << file_type_name(f.type) << '\t' << file_type_name(v.category)
                      << '\t' << f.path << '\t' << v.mime << '\t' << v.description << '\n';
        if (!ok) disagreements[{f.type, v.category}].push_back(f.path + "  [" + v.description + "]");
    }
    const double share = verdicts.empty() ? 0.0 : double(agree) / double(verdicts.size());
    std::printf("libmagic comparison: %zu regular files, %zu agree (%.2f%%), %zu identical categories (%.2f%%), "
                "required %.0f%%\n",
                verdicts.size(), agree, 100.0 * share, strict, 100.0 * double(strict) / double(verdicts.size()),
                100.0 * kRequiredAgreement);
    std::vector<std::pair<std::size_t, std::pair<FileType, FileType>>> order;
    for (const auto& [key, examples] : disagreements) order.push_back({examples.size(), key});
    std::sort(order.rbegin(), order.rend());
    for (const auto& [count, key] : order) {
        std::printf("  %5zu  ours %-20s libmagic %s\n", count, std::string(file_type_name(key.first)).c_str(),
                    std::string(file_type_name(key.second)).c_str());
        const auto& examples = disagreements[key];
        for (std::size_t e = 0; e < std::min<std::size_t>(3, examples.size()); ++e)
            std::printf("           %s\n", examples[e].c_str());
    }
    return share >= kRequiredAgreement ? 0 : 1;
}
