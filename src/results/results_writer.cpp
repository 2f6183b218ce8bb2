#include "regcensus/results/results_writer.hpp"

#include <functional>

#include "regcensus/h5/atomic_h5_file.hpp"
#include "environment_writer.hpp"
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/results/provenance_attributes.hpp"
#include "regcensus/results/storage_results.hpp"
#include "union_columns_writer.hpp"

namespace regcensus {
namespace {

using h5::Location;

template <typename Row>
std::vector<std::string> string_column(const std::vector<Row>& rows, std::function<std::string(const Row&)> get) {
    std::vector<std::string> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(get(r));
    return out;
}

template <typename Row>
std::vector<int64_t> int_column(const std::vector<Row>& rows, std::function<int64_t(const Row&)> get) {
    std::vector<int64_t> out;
    out.reserve(rows.size());
    for (const auto& r : rows) out.push_back(get(r));
    return out;
}

void write_root_attributes(const h5::File& file, const CensusResults& r) {
    file.set_attribute("format", "regcensus-results");
    file.set_attribute("format_version", kResultsFormatVersion);
    file.set_attribute("tool_version", r.provenance.tool_version);
    file.set_attribute("created_utc", r.provenance.created_utc);
    file.set_attribute("command_line", r.provenance.command_line);
    file.set_attribute("mpi_ranks", r.provenance.mpi_ranks);
    file.set_attribute("image_count", static_cast<int64_t>(r.images.size()));
    file.set_attribute("layer_count", static_cast<int64_t>(r.layers.size()));
    auto provenance = file.create_group("provenance");
    h5::write_provenance_attributes(provenance, r.provenance.parameters);
}

void write_images(const h5::File& file, const CensusResults& r) {
    auto g = file.create_group("images");
    const auto& im = r.images;
    using I = ImageRecord;
    g.write_strings("reference", string_column<I>(im, [](auto& i) { return i.reference; }),
                    "The image reference as given in the image list.");
    g.write_strings("repository", string_column<I>(im, [](auto& i) { return i.repository; }),
                    "Full repository path, e.g. library/debian.");
    g.write_strings("tag", string_column<I>(im, [](auto& i) { return i.tag; }),
                    "The tag (or @digest) that was resolved.");
    g.write_strings("status", string_column<I>(im, [](auto& i) { return i.status; }),
                    "ok, or a short error kind such as manifest_unknown, unauthorized, rate_limited, layer_failed.");
    g.write_strings("error", string_column<I>(im, [](auto& i) { return i.error; }),
                    "Human-readable error message; empty when status is ok.");
    g.write_strings("manifest_digest", string_column<I>(im, [](auto& i) { return i.manifest_digest; }),
                    "Digest of the image manifest analysed (the platform's manifest when the tag names an index).");
    g.write_strings("index_digest", string_column<I>(im, [](auto& i) { return i.index_digest; }),
                    "Digest of the index or manifest list the tag named; empty otherwise.");
    g.write_strings("media_type", string_column<I>(im, [](auto& i) { return i.media_type; }),
                    "Media type of the manifest analysed.");
    g.write_strings("platform", string_column<I>(im, [](auto& i) { return i.platform; }),
                    "os/architecture[/variant] of the image analysed.");
    const auto& t = r.image_totals;
    using T = ImageTotals;
    g.write_int64("layer_count", int_column<T>(t, [](auto& x) { return x.layer_count; }),
                  "Number of layer descriptors in the manifest; -1 if unknown.");
    g.write_int64("compressed_bytes", int_column<T>(t, [](auto& x) { return x.compressed_bytes; }),
                  "Sum of the layer descriptors' sizes; -1 if unknown.", "bytes");
    g.write_int64("uncompressed_bytes", int_column<T>(t, [](auto& x) { return x.uncompressed_bytes; }),
                  "Sum of the layers' uncompressed_bytes; -1 if any is unknown.", "bytes");
    g.write_int64("file_count", int_column<T>(t, [](auto& x) { return x.file_count; }),
                  "Sum of the layers' file_count; -1 if any is unknown.");
    g.write_int64("file_bytes", int_column<T>(t, [](auto& x) { return x.file_bytes; }),
                  "Sum of the layers' file_bytes; -1 if any is unknown.", "bytes");
    std::vector<double> shared_fraction;
    for (const auto& x : t) shared_fraction.push_back(x.shared_file_fraction);
    g.write_float64("shared_file_fraction", shared_fraction,
                    "Fraction of the image's files whose content also occurs in another image of the list (another "
                    "distinct manifest digest: tags of one manifest are one image); "
                    "-1 if unknown or the image has no files.");
    g.write_int64("created", int_column<I>(im, [](auto& i) { return i.created; }),
                  "Image config 'created' as Unix seconds; -1 if absent.", "seconds since 1970-01-01 UTC");
    g.write_int64("pull_count", int_column<I>(im, [](auto& i) { return i.pull_count; }),
                  "Pull count carried over from the image list; -1 if absent.");
    g.write_int64("star_count", int_column<I>(im, [](auto& i) { return i.star_count; }),
                  "Star count carried over from the image list; -1 if absent.");
    g.write_int64("layer_offsets", r.plan.image_layer_offsets,
                  "CSR offsets: the layers of image i are layer_rows[layer_offsets[i]:layer_offsets[i+1]].");
    g.write_int64("layer_rows", r.plan.image_layer_rows,
                  "CSR values: rows of /layers, base layer first, for each image in turn.");
}

void write_layers(const h5::File& file, const CensusResults& r) {
    auto g = file.create_group("layers");
    const auto& L = r.layers;
    using P = LayerProfile;
    g.write_strings("digest", string_column<P>(L, [](auto& l) { return l.digest; }), "Layer blob digest, sha256:<hex>.");
    g.write_strings("media_type", string_column<P>(L, [](auto& l) { return l.media_type; }),
                    "Layer media type as given in the (first) manifest listing it.");
    g.write_strings("compression", string_column<P>(L, [](auto& l) { return l.compression; }),
                    "gzip, zstd or none, detected from the blob's magic bytes; empty if never read.");
    g.write_strings("status", string_column<P>(L, [](auto& l) { return l.status; }),
                    "ok, or a short error kind such as digest_mismatch, truncated, corrupt, too_large.");
    g.write_strings("error", string_column<P>(L, [](auto& l) { return l.error; }),
                    "Human-readable error message; empty when status is ok.");
    struct Column {
        const char* name;
        int64_t P::*field;
        const char* description;
        const char* units;
    };
    static const Column columns[] = {
        {"compressed_bytes", &P::compressed_bytes, "Blob size.", "bytes"},
        {"uncompressed_bytes", &P::uncompressed_bytes,
         "Length of the decompressed tar stream, padding and end blocks included.", "bytes"},
        {"file_count", &P::file_count, "Regular-file entries (tar types 0, NUL, 7), whiteout markers excluded.", ""},
        {"file_bytes", &P::file_bytes, "Sum of the regular files' sizes.", "bytes"},
        {"dir_count", &P::dir_count,
         "Distinct directory paths: explicit entries plus implied parents of any entry, root excluded.", ""},
        {"max_depth", &P::max_depth, "Largest number of path components of any directory, 0 if none.", ""},
        {"symlink_count", &P::symlink_count, "Symbolic-link entries.", ""},
        {"hardlink_count", &P::hardlink_count, "Hard-link entries (tar type 1).", ""},
        {"other_count", &P::other_count, "Character and block devices and FIFOs.", ""},
        {"whiteout_count", &P::whiteout_count, "Non-directory entries named .wh.<name>, opaque markers excluded.", ""},
        {"opaque_count", &P::opaque_count, "Entries named exactly .wh..wh..opq.", ""},
    };
    for (const auto& c : columns)
        g.write_int64(c.name, int_column<P>(L, [&](auto& l) { return l.*(c.field); }),
                      std::string(c.description) + " -1 if unknown.", c.units);
    std::vector<int64_t> ref_count;
    for (const auto& planned : r.plan.layers) ref_count.push_back(planned.ref_count);
    g.write_int64("ref_count", ref_count, "Number of rows of /images whose manifest lists this layer.");
    // Sharing counts from the duplicate index; a failed layer has no files to count (-1).
    auto sharing = [&](const std::vector<int64_t>& counts) {
        std::vector<int64_t> column(L.size(), -1);
        for (std::size_t i = 0; i < L.size() && i < counts.size(); ++i)
            if (L[i].ok()) column[i] = counts[i];
        return column;
    };
    g.write_int64("unique_file_count", sharing(r.dedup.per_layer.unique_file_count),
                  "Regular files whose content occurs nowhere else in the dataset; -1 if unknown.");
    g.write_int64("cross_layer_file_count", sharing(r.dedup.per_layer.cross_layer_file_count),
                  "Regular files whose content also occurs in another distinct layer; -1 if unknown.");
    g.write_int64("shared_file_count", sharing(r.dedup.per_layer.shared_files_count),
                  "Regular files whose content also occurs in another image of the list (another distinct "
                  "manifest digest: tags of one manifest are one image); -1 if unknown.");

    // Per-layer extras beyond the contract (docs/results-file.md, "Per-layer extras").
    static const Column extras[] = {
        {"setuid_count", &P::setuid_count, "Regular files with the setuid bit (mode 04000).", ""},
        {"setgid_count", &P::setgid_count, "Regular files with the setgid bit (mode 02000).", ""},
        {"world_writable_count", &P::world_writable_count, "Regular files writable by others (mode 00002).", ""},
        {"root_owned_file_count", &P::root_owned_file_count, "Regular files owned by uid 0.", ""},
        {"mtime_min", &P::mtime_min, "Oldest mtime of any entry (directories, links, whiteouts included).",
         "seconds since 1970-01-01 UTC"},
        {"mtime_max", &P::mtime_max, "Newest mtime of any entry (directories, links, whiteouts included).",
         "seconds since 1970-01-01 UTC"},
    };
    for (const auto& c : extras)
        g.write_int64(c.name, int_column<P>(L, [&](auto& l) { return l.*(c.field); }),
                      std::string(c.description) + " -1 if unknown (failed layer, or no entry with an mtime).",
                      c.units);
    // [layers x bins] matrices; a failed layer's row is all zeros, like its
    // absence from the global histograms and /filetypes.
    const auto histogram_matrix = [&](const char* name, Pow2Histogram P::*histogram, const char* description,
                                      const char* units) {
        std::size_t bins = 0;
        for (const auto& l : L)
            if (l.ok()) bins = std::max(bins, (l.*histogram).counts().size());
        std::vector<int64_t> values(L.size() * bins, 0);
        for (std::size_t row = 0; row < L.size(); ++row) {
            if (!L[row].ok()) continue;
            const auto& counts = (L[row].*histogram).counts();
            std::copy(counts.begin(), counts.end(), values.begin() + static_cast<std::ptrdiff_t>(row * bins));
        }
        g.write_int64_matrix(name, L.size(), bins, values, description, units, {"layers", "bins"});
    };
    histogram_matrix("file_size_counts", &P::file_size,
                     "Per-layer file-size histogram [layers x bins]: regular files per pow2 bin of their size "
                     "(bin 0 holds 0, bin k >= 1 holds [2^(k-1), 2^k) bytes, the bins of /histograms/file_size); "
                     "columns summed over rows equal /histograms/file_size/counts; all zeros for a failed layer.",
                     "");
    {
        // One column per depth (linear, as /histograms/directory_depth): column d counts directories of depth d.
        std::size_t depths = 0;
        for (const auto& l : L)
            if (l.ok()) depths = std::max(depths, l.directory_depth_counts.size());
        std::vector<int64_t> values(L.size() * depths, 0);
        for (std::size_t row = 0; row < L.size(); ++row)
            if (L[row].ok())
                std::copy(L[row].directory_depth_counts.begin(), L[row].directory_depth_counts.end(),
                          values.begin() + static_cast<std::ptrdiff_t>(row * depths));
        g.write_int64_matrix("directory_depth_counts", L.size(), depths, values,
                             "Per-layer directory-depth histogram [layers x depths]: distinct directories of each depth "
                             "(column d = depth d, the bins of /histograms/directory_depth); all zeros for a failed "
                             "layer.",
                             "", {"layers", "bins"});
    }
    const auto type_matrix = [&](const char* name, std::array<int64_t, kFileTypeCount> P::*totals,
                                 const char* description, const char* units) {
        std::vector<int64_t> values(L.size() * kFileTypeCount, 0);
        for (std::size_t row = 0; row < L.size(); ++row)
            if (L[row].ok())
                std::copy((L[row].*totals).begin(), (L[row].*totals).end(),
                          values.begin() + static_cast<std::ptrdiff_t>(row * kFileTypeCount));
        g.write_int64_matrix(name, L.size(), kFileTypeCount, values, description, units, {"layers", "categories"});
    };
    type_matrix("type_file_counts", &P::type_files,
                "Per-layer file-type table [layers x categories]: regular files per category, columns in the row "
                "order of /filetypes (enum FileType); all zeros for a failed layer.",
                "");
    type_matrix("type_file_bytes", &P::type_bytes,
                "Per-layer file-type table [layers x categories]: bytes of regular files per category, columns in "
                "the row order of /filetypes (enum FileType); all zeros for a failed layer.",
                "bytes");
}

void write_dedup(const h5::File& file, const CensusResults& r) {
    auto g = file.create_group("dedup");
    const auto& d = r.dedup;
    g.set_attribute("file_count", d.file_count);
    g.set_attribute("file_bytes", d.file_bytes);
    g.set_attribute("unique_file_count", d.unique_file_count);
    g.set_attribute("unique_bytes", d.unique_bytes);
    auto copies = g.create_group("copies");
    std::vector<int64_t> ks, contents;
    for (auto [k, n] : d.contents_by_copies) {
        ks.push_back(k);
        contents.push_back(n);
    }
    copies.write_int64("copies", ks, "A copy count k that occurs.");
    copies.write_int64("contents", contents, "Number of distinct contents that occur exactly k times.");
    auto top = g.create_group("top");
    using C = TopContent;
    top.write_strings("hash", string_column<C>(d.top, [](auto& t) { return hash_hex(t.hash); }),
                      "XXH3-128 of the content, 32 hex digits, high half first.");
    top.write_int64("size", int_column<C>(d.top, [](auto& t) { return t.size; }), "Content size.", "bytes");
    top.write_int64("copies", int_column<C>(d.top, [](auto& t) { return t.copies; }),
                    "Regular files with this content over the distinct layers.");
    top.write_int64("layers", int_column<C>(d.top, [](auto& t) { return t.layers; }),
                    "Distinct layers holding this content.");
    top.write_strings("type", string_column<C>(d.top, [](auto& t) { return std::string(file_type_name(t.type)); }),
                      "File-type category of the content.");
    top.write_strings("example_path", string_column<C>(d.top, [](auto& t) { return t.example_path; }),
                      "Path of the first copy in the layer with the smallest digest.");
}

void write_histograms(const h5::File& file, const CensusResults& r) {
    auto g = file.create_group("histograms");
    for (const auto& [name, h] : r.histograms) {
        auto group = g.create_group(name);
        group.set_attribute("binning", h.binning);
        group.set_attribute("description", h.description);
        if (!h.units.empty()) group.set_attribute("units", h.units);
        group.write_int64("lower", h.lower, "Inclusive lower bin edges.", h.units);
        group.write_int64("counts", h.counts, "Count per bin.");
    }
}

void write_file_types(const h5::File& file, const CensusResults& r) {
    auto g = file.create_group("filetypes");
    std::vector<std::string> names;
    for (std::size_t t = 0; t < kFileTypeCount; ++t) names.emplace_back(file_type_name(static_cast<FileType>(t)));
    const auto& f = r.file_types;
    auto vec = [](const auto& a) { return std::vector<int64_t>(a.begin(), a.end()); };
    g.write_strings("type", names, "File-type category (see docs/file-types.md).");
    g.write_int64("file_count", vec(f.file_count), "Regular files of this type over the distinct layers.");
    g.write_int64("file_bytes", vec(f.file_bytes), "Bytes of those files.", "bytes");
    g.write_int64("unique_file_count", vec(f.unique_file_count), "Distinct contents of this type.");
    g.write_int64("unique_bytes", vec(f.unique_bytes), "Sum of the sizes of those distinct contents.", "bytes");
    std::vector<std::string> families;
    for (std::size_t t = 0; t < kFileTypeCount; ++t) families.emplace_back(file_type_family(static_cast<FileType>(t)));
    g.write_strings("family", families, "Family of the category: the part of `type` before '/' (docs/file-types.md).");
}

}  // namespace

void write_results(const CensusResults& results, const std::string& path) {
    h5::write_atomically(path, [&](const h5::File& file) {
        write_root_attributes(file, results);
        write_images(file, results);
        write_layers(file, results);
        write_union_columns(file, results);
        write_sharing_columns(file, results);
        write_dedup(file, results);
        write_histograms(file, results);
        write_file_types(file, results);
        write_storage_group(file, results.storage);
        write_image_environment(file, results);
        write_image_layers(file, results);
        write_dataset_tables(file, results);
        if (results.write_streamed_tables) results.write_streamed_tables(file);
    });
}

}  // namespace regcensus
