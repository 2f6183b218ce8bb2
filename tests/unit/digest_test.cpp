// The OCI digest grammar as regcensus accepts it, the hashers behind it, and
// the proof that paths built from digests stay below their root.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "registry_fixture.hpp"
#include "regcensus/layer/layer_analyzer.hpp"
#include "regcensus/workdir/work_directory.hpp"
#include "regcensus/util/contained_path.hpp"
#include "regcensus/util/data_error.hpp"
#include "regcensus/util/digest.hpp"
#include "regcensus/util/digest_hasher.hpp"
#include "regcensus/util/memory_byte_source.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

namespace fs = std::filesystem;

const std::string kHex64(64, 'a');
const std::string kHex128(128, 'b');

TEST(Digest, AcceptsRegisteredAlgorithmsWithTheirExactEncoding) {
    const auto sha256 = Digest::parse("sha256:" + kHex64);
    ASSERT_TRUE(sha256);
    EXPECT_EQ(sha256->algorithm(), DigestAlgorithm::sha256);
    EXPECT_EQ(sha256->algorithm_name(), "sha256");
    EXPECT_EQ(sha256->encoded(), kHex64);
    EXPECT_EQ(sha256->str(), "sha256:" + kHex64);
    EXPECT_EQ(sha256->relative_path(), fs::path("blobs") / "sha256" / kHex64);

    const auto sha512 = Digest::parse("sha512:" + kHex128);
    ASSERT_TRUE(sha512);
    EXPECT_EQ(sha512->algorithm(), DigestAlgorithm::sha512);
    EXPECT_EQ(sha512->relative_path(), fs::path("blobs") / "sha512" / kHex128);
    EXPECT_TRUE(is_valid_digest("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
}

TEST(Digest, RefusesPathsWrongEncodingsAndUnknownAlgorithms) {
    for (const std::string& bad :
         {std::string("sha256:../../x"), std::string("/some/dir:name"), std::string("../../../x:name"),
          "sha256:" + std::string(64, 'A'),                    // uppercase hex
          "sha256:" + std::string(63, 'a'), "sha256:" + std::string(65, 'a'),  // wrong lengths
          "sha512:" + kHex64, "sha512:" + std::string(127, 'b'), "sha256:" + kHex128,
          "sha512:" + std::string(128, 'B'), "sha256:" + std::string(63, 'a') + "g",
          "md5:" + std::string(32, 'a'), "blake3:" + kHex64, "sha384:" + std::string(96, 'a'),  // unknown
          "SHA256:" + kHex64, std::string("sha256:"), std::string(":") + kHex64, kHex64, std::string(""),
          "sha256:" + kHex64 + "/", "sha256:" + kHex64 + "\n", " sha256:" + kHex64, "sha256::" + kHex64,
          "sha256:" + std::string(32, 'a') + "/" + std::string(31, 'a'), std::string("sha256:..")}) {
        EXPECT_FALSE(Digest::parse(bad)) << bad;
        try {
            Digest::parse_or_throw(bad, "test");
            ADD_FAILURE() << "accepted " << bad;
        } catch (const DataError& error) {
            EXPECT_EQ(error.status(), "invalid_digest") << bad;
        }
    }
}

TEST(Digest, GrammarIsTheOciGrammar) {
    EXPECT_TRUE(matches_digest_grammar("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));
    EXPECT_TRUE(matches_digest_grammar("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"));
    EXPECT_TRUE(matches_digest_grammar("a.b_c-d:x=="));
    EXPECT_FALSE(matches_digest_grammar("+sha256:abc"));
    EXPECT_FALSE(matches_digest_grammar("sha256+:abc"));
    EXPECT_FALSE(matches_digest_grammar("sha256..x:abc"));
    EXPECT_FALSE(matches_digest_grammar("/some/dir:name"));
    EXPECT_FALSE(matches_digest_grammar("../../../x:name"));
    EXPECT_FALSE(matches_digest_grammar("sha256:../../x"));
    EXPECT_FALSE(matches_digest_grammar("sha256:a/b"));
    // Grammatical but unregistered: still refused by the parser.
    EXPECT_FALSE(Digest::parse("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564"));
}

TEST(DigestHasher, Sha256AndSha512OfKnownBytes) {
    // Known answers for "abc" (FIPS 180-2 examples).
    EXPECT_EQ(DigestHasher::digest_of(DigestAlgorithm::sha256, "abc"),
              "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(DigestHasher::digest_of(DigestAlgorithm::sha512, "abc"),
              "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
              "454d4423643ce80e2a9ac94fa54ca49f");
    DigestHasher streamed(DigestAlgorithm::sha512);
    streamed.update("a");
    streamed.update("bc");
    EXPECT_EQ(streamed.finish_digest(), DigestHasher::digest_of(DigestAlgorithm::sha512, "abc"));
    EXPECT_EQ(Sha256::digest_of("abc"), DigestHasher::digest_of(DigestAlgorithm::sha256, "abc"));
    const std::string sha512 = DigestHasher::digest_of(DigestAlgorithm::sha512, "x");
    EXPECT_EQ(digest_in_algorithm_of(sha512, "x"), sha512);
    EXPECT_EQ(hasher_for("not a digest").algorithm(), DigestAlgorithm::sha256);
    EXPECT_TRUE(is_sha256_digest(Sha256::digest_of("abc")));
    EXPECT_FALSE(is_sha256_digest(sha512));
}

TEST(DigestHasher, LayerBlobsAreVerifiedInTheAlgorithmTheirDigestNames) {
    // A tar of one empty block pair (an empty archive), uncompressed.
    const std::string blob(1024, '\0');
    const auto analyse = [&](const std::string& digest) {
        MemoryByteSource source(blob, 100);
        return analyze_layer(source, LayerExpectation{digest, int64_t(blob.size()), ""}).profile.status;
    };
    EXPECT_EQ(analyse(DigestHasher::digest_of(DigestAlgorithm::sha512, blob)), "ok");
    EXPECT_EQ(analyse(Sha256::digest_of(blob)), "ok");
    EXPECT_EQ(analyse(DigestHasher::digest_of(DigestAlgorithm::sha512, "other bytes")), "digest_mismatch");
    EXPECT_EQ(analyse("sha512:" + kHex128), "digest_mismatch");
}

TEST(ContainedPath, LexicalProofRefusesEveryWayOut) {
    const fs::path root = "/work/dir";
    EXPECT_EQ(join_contained(root, "blobs/sha256/abc"), root / "blobs/sha256/abc");
    for (const char* bad : {"/etc/passwd", "../x", "blobs/../../x", "blobs/./x", ".", "..", "", "blobs//x",
                            "blobs/x/", "blobs/.."})
        EXPECT_THROW(join_contained(root, bad), PathEscapeError) << bad;
}

TEST(ContainedPath, PlantedSymlinkCannotLeadOut) {
    testing::TempDirectory directory;
    const fs::path root = directory.path() / "work";
    const fs::path outside = directory.path() / "outside";
    fs::create_directories(root / "blobs");
    fs::create_directories(outside);
    fs::create_directory_symlink(outside, root / "blobs" / "sha256");
    const fs::path relative = fs::path("blobs") / "sha256" / kHex64;
    EXPECT_THROW(prepare_contained_file(root, relative), PathEscapeError);
    EXPECT_THROW(check_contained(root, root / relative), PathEscapeError);
    EXPECT_THROW(check_contained(root, root), PathEscapeError);  // the root itself is no file below it
    EXPECT_THROW(check_contained(root, directory.path() / "workx" / "y"), PathEscapeError);  // a mere prefix
    EXPECT_TRUE(fs::is_empty(outside));

    // The work directory refuses to store through it, and nothing appears outside.
    const WorkDirectory work(root.string());
    EXPECT_THROW(work.store_blob("sha256:" + kHex64, "bytes"), PathEscapeError);
    EXPECT_TRUE(fs::is_empty(outside));
    // A link inside the tree that stays inside is fine.
    fs::create_directories(root / "real");
    fs::create_directory_symlink(root / "real", root / "blobs" / "sha512");
    EXPECT_NO_THROW(work.store_blob("sha512:" + kHex128, "bytes"));
    EXPECT_TRUE(fs::is_regular_file(root / "real" / kHex128));
}

TEST(WorkDirectory, StoresOnlyUnderValidDigests) {
    testing::TempDirectory directory;
    const fs::path root = directory.path() / "work";
    const WorkDirectory work(root.string());
    for (const char* bad : {"/some/dir:name", "../../../x:name", "sha256:../../evil", "sha1:abc"}) {
        try {
            work.store_blob(bad, "evil");
            ADD_FAILURE() << "stored " << bad;
        } catch (const DataError& error) {
            EXPECT_EQ(error.status(), "invalid_digest") << bad;
        }
    }
    const std::string sha512 = DigestHasher::digest_of(DigestAlgorithm::sha512, "config");
    work.store_blob(sha512, "config");
    EXPECT_TRUE(fs::is_regular_file(work.blob_path(sha512)));
    EXPECT_EQ(work.blob_path(sha512), (root / "blobs" / "sha512" / sha512.substr(7)).string());
    // Only the two blob directories and the blob: nothing else was created anywhere below the temp dir.
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(directory.path()))
        found.push_back(fs::relative(entry.path(), directory.path()).string());
    std::sort(found.begin(), found.end());
    const std::vector<std::string> want = {"work", "work/blobs", "work/blobs/sha256", "work/blobs/sha512",
                                           "work/blobs/sha512/" + sha512.substr(7)};
    EXPECT_EQ(found, want);
}

}  // namespace
}  // namespace regcensus
