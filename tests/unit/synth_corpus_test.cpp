// `regcensus synth` end to end on a small corpus: determinism, a complete
// and valid OCI layout, correct digests and diff_ids, the image list, and a
// ground truth consistent with itself and with the blobs.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "regcensus/synth/corpus.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus::synth {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

fs::path scratch(const std::string& name) {
    return fs::temp_directory_path() / ("regcensus-synth-test-" + std::to_string(::getpid()) + "-" + name);
}

SynthOptions small_options(const fs::path& dir, uint64_t seed) {
    SynthOptions options;
    options.out_dir = dir;
    options.seed = seed;
    options.images = 9;  // every image role, an OCI index and a Docker manifest list
    options.scale = 0.02;
    options.force = true;
    return options;
}

std::map<std::string, std::string> tree_contents(const fs::path& root) {
    std::map<std::string, std::string> files;
    for (const auto& entry : fs::recursive_directory_iterator(root))
        if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = read_file(entry.path());
    return files;
}

std::string gunzip(const std::string& in) {
    z_stream stream{};
    inflateInit2(&stream, 15 + 16);
    std::string out;
    char buffer[65536];
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    stream.avail_in = static_cast<uInt>(in.size());
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        stream.next_out = reinterpret_cast<Bytef*>(buffer);
        stream.avail_out = sizeof buffer;
        status = inflate(&stream, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END) break;
        out.append(buffer, sizeof buffer - stream.avail_out);
    }
    inflateEnd(&stream);
    EXPECT_EQ(status, Z_STREAM_END);
    return out;
}

std::string unzstd(const std::string& in) {
    ZSTD_DStream* stream = ZSTD_createDStream();
    std::string out;
    std::string buffer(ZSTD_DStreamOutSize(), '\0');
    ZSTD_inBuffer input{in.data(), in.size(), 0};
    while (input.pos < input.size) {
        ZSTD_outBuffer output{buffer.data(), buffer.size(), 0};
        const std::size_t status = ZSTD_decompressStream(stream, &output, &input);
        if (ZSTD_isError(status)) break;
        out.append(buffer.data(), output.pos);
    }
    ZSTD_freeDStream(stream);
    return out;
}

std::string decompress(const std::string& blob) {
    if (blob.starts_with("\x1f\x8b")) return gunzip(blob);
    if (blob.starts_with("\x28\xb5\x2f\xfd")) return unzstd(blob);
    return blob;
}

class SynthCorpus : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fs::path(scratch("corpus"));
        generate_corpus(small_options(*dir_, 42));
    }
    static void TearDownTestSuite() {
        fs::remove_all(*dir_);
        delete dir_;
    }
    static fs::path blob(std::string_view digest) { return *dir_ / "layout" / "blobs" / "sha256" / std::string(digest.substr(7)); }
    static fs::path* dir_;
};
fs::path* SynthCorpus::dir_ = nullptr;

TEST(SynthDeterminism, SameSeedGivesByteIdenticalOutputAndAnotherSeedDoesNot) {
    const fs::path a = scratch("a"), b = scratch("b"), c = scratch("c");
    generate_corpus(small_options(a, 7));
    generate_corpus(small_options(b, 7));
    generate_corpus(small_options(c, 8));
    const auto files_a = tree_contents(a);
    EXPECT_EQ(files_a, tree_contents(b));
    const auto files_c = tree_contents(c);
    EXPECT_NE(files_a.at("groundtruth.json"), files_c.at("groundtruth.json"));
    std::set<std::string> blobs_a, blobs_c;
    for (const auto& [name, bytes] : files_a) if (name.starts_with("layout/blobs/")) blobs_a.insert(name);
    for (const auto& [name, bytes] : files_c) if (name.starts_with("layout/blobs/")) blobs_c.insert(name);
    EXPECT_NE(blobs_a, blobs_c);
    for (const auto& dir : {a, b, c}) fs::remove_all(dir);
}

TEST(SynthDeterminism, RefusesToOverwriteWithoutForce) {
    const fs::path dir = scratch("force");
    generate_corpus(small_options(dir, 1));
    SynthOptions again = small_options(dir, 1);
    again.force = false;
    EXPECT_THROW(generate_corpus(again), std::runtime_error);
    fs::remove_all(dir);
}

TEST_F(SynthCorpus, EveryBlobIsNamedByItsSha256) {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(*dir_ / "layout" / "blobs" / "sha256")) {
        EXPECT_EQ(Sha256::digest_of(read_file(entry.path())), "sha256:" + entry.path().filename().string());
        ++count;
    }
    EXPECT_GT(count, 20);
    EXPECT_EQ(read_file(*dir_ / "layout" / "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
}

TEST_F(SynthCorpus, LayoutIsCompleteAndDiffIdsAreCorrect) {
    simdjson::ondemand::parser parser;
    simdjson::ondemand::parser inner;
    simdjson::padded_string index = simdjson::padded_string::load((*dir_ / "layout" / "index.json").string()).value();
    int manifests = 0, layers_checked = 0;
    bool saw_index = false;
    auto index_document = parser.iterate(index);
    for (auto entry : index_document["manifests"].get_array()) {
        const std::string digest(entry["digest"].get_string().value());
        const std::string media(entry["mediaType"].get_string().value());
        ASSERT_TRUE(fs::exists(blob(digest))) << digest;
        EXPECT_EQ(static_cast<int64_t>(fs::file_size(blob(digest))), int64_t(entry["size"].get_int64()));
        const std::string name(entry["annotations"]["org.opencontainers.image.ref.name"].get_string().value());
        EXPECT_TRUE(name.starts_with("synth/app-")) << name;
        ++manifests;

        std::vector<std::string> image_manifests;
        simdjson::padded_string top(read_file(blob(digest)));
        auto document = inner.iterate(top);
        EXPECT_EQ(std::string(document["mediaType"].get_string().value()), media);
        if (media.find("index") != std::string::npos || media.find("list") != std::string::npos) {
            saw_index = true;
            std::set<std::string> platforms;
            for (auto child : document["manifests"].get_array()) {
                const std::string child_digest(child["digest"].get_string().value());
                ASSERT_TRUE(fs::exists(blob(child_digest)));
                EXPECT_EQ(static_cast<int64_t>(fs::file_size(blob(child_digest))), int64_t(child["size"].get_int64()));
                platforms.insert(std::string(child["platform"]["architecture"].get_string().value()));
                image_manifests.push_back(child_digest);
            }
            EXPECT_EQ(platforms, (std::set<std::string>{"amd64", "arm64"}));
        } else {
            image_manifests.push_back(digest);
        }
        for (const auto& manifest_digest : image_manifests) {
            simdjson::ondemand::parser manifest_parser;
            simdjson::padded_string text(read_file(blob(manifest_digest)));
            auto manifest = manifest_parser.iterate(text);
            const std::string config_digest(manifest["config"]["digest"].get_string().value());
            std::vector<std::string> layer_digests;
            for (auto layer : manifest["layers"].get_array()) {
                const std::string layer_digest(layer["digest"].get_string().value());
                ASSERT_TRUE(fs::exists(blob(layer_digest)));
                EXPECT_EQ(static_cast<int64_t>(fs::file_size(blob(layer_digest))), int64_t(layer["size"].get_int64()));
                layer_digests.push_back(layer_digest);
            }
            ASSERT_GE(layer_digests.size(), 1u);
            ASSERT_LE(layer_digests.size(), 6u);
            simdjson::ondemand::parser config_parser;
            simdjson::padded_string config_text(read_file(blob(config_digest)));
            auto config = config_parser.iterate(config_text);
            std::vector<std::string> diff_ids;
            for (auto id : config["rootfs"]["diff_ids"].get_array()) diff_ids.emplace_back(id.get_string().value());
            ASSERT_EQ(diff_ids.size(), layer_digests.size());
            for (std::size_t i = 0; i < diff_ids.size(); ++i) {
                const std::string tar = decompress(read_file(blob(layer_digests[i])));
                EXPECT_EQ(tar.size() % 10240, 0u);
                EXPECT_EQ(Sha256::digest_of(tar), diff_ids[i]) << layer_digests[i];
                ++layers_checked;
            }
        }
    }
    EXPECT_TRUE(saw_index);
    EXPECT_EQ(manifests, 10);  // nine images and the second tag of the first
    EXPECT_GT(layers_checked, 20);
}

TEST_F(SynthCorpus, ImageListAndGroundTruthAgree) {
    const std::string list = read_file(*dir_ / "images.txt");
    std::istringstream lines(list);
    std::string line;
    std::getline(lines, line);
    EXPECT_EQ(line, "#reference\tpull_count\tstar_count");
    std::vector<std::string> references;
    bool comment = false, blank = false;
    while (std::getline(lines, line)) {
        if (line.empty()) { blank = true; continue; }
        if (line.starts_with("#")) { comment = true; continue; }
        references.push_back(line.substr(0, line.find('\t')));
    }
    EXPECT_TRUE(comment);
    EXPECT_TRUE(blank);

    simdjson::ondemand::parser parser;
    simdjson::padded_string text = simdjson::padded_string::load((*dir_ / "groundtruth.json").string()).value();
    auto truth = parser.iterate(text);
    EXPECT_EQ(std::string(truth["format"].get_string().value()), "regcensus-synth-groundtruth");
    std::vector<std::string> truth_references;
    std::set<std::string> listed_layers;
    int missing = 0;
    for (auto image : truth["images"].get_array()) {
        truth_references.emplace_back(image["reference"].get_string().value());
        const std::string status(image["status"].get_string().value());
        if (status == "manifest_unknown") { ++missing; continue; }
        EXPECT_EQ(status, "ok");
        EXPECT_EQ(std::string(image["platform"].get_string().value()), "linux/amd64");
        for (auto layer : image["layers"].get_array()) listed_layers.emplace(layer.get_string().value());
    }
    EXPECT_EQ(references, truth_references);
    EXPECT_EQ(missing, 1);

    // Per-layer figures add up to the dedup totals and the file-size histogram.
    int64_t files = 0, bytes = 0;
    std::set<std::string> described;
    for (auto field : truth["layers"].get_object()) {
        const std::string digest(field.unescaped_key().value());
        described.insert(digest);
        auto layer = field.value().get_object().value();
        const int64_t file_count = layer["file_count"].get_int64();
        const int64_t file_bytes = layer["file_bytes"].get_int64();
        const int64_t uncompressed = layer["uncompressed_bytes"].get_int64();
        EXPECT_EQ(uncompressed, static_cast<int64_t>(decompress(read_file(blob(digest))).size()));
        files += file_count;
        bytes += file_bytes;
    }
    EXPECT_EQ(described, listed_layers);  // only the analysed layers, each once
    auto dedup = truth["dedup"].get_object().value();
    EXPECT_EQ(int64_t(dedup["file_count"].get_int64()), files);
    EXPECT_EQ(int64_t(dedup["file_bytes"].get_int64()), bytes);
    int64_t histogram_total = 0;
    for (auto count : truth["histograms"]["file_size"].get_array()) histogram_total += int64_t(count.get_int64());
    EXPECT_EQ(histogram_total, files);
}

}  // namespace
}  // namespace regcensus::synth
