// push's cross-repository mount (RegistryClient::mount_or_push_blob) against a
// real docker-registry: a blob the source repository holds is mounted without
// its bytes being read; one it does not hold (the registry answers 202 and
// opens an upload) is uploaded through that session instead.
#include <gtest/gtest.h>

#include "registry_fixture.hpp"
#include "regcensus/registry/registry_client.hpp"
#include "regcensus/util/sha256.hpp"

namespace regcensus {
namespace {

std::span<const std::byte> bytes_of(const std::string& text) { return std::as_bytes(std::span(text)); }

TEST(RegistryMount, MountsWhatTheSourceHoldsAndUploadsWhatItDoesNot) {
    testing::RegistryProcess registry;
    RegistryOptions options;
    options.url = registry.url();
    RegistryClient client(options);

    const std::string shared(300000, 's'), alone = "a blob only the layout has";
    client.push_blob("mount/source", Sha256::digest_of(shared), bytes_of(shared));

    int reads = 0;
    const auto read = [&](const std::string& bytes) {
        return [&reads, bytes] {
            ++reads;
            return bytes;
        };
    };
    EXPECT_EQ(client.mount_or_push_blob("mount/target", Sha256::digest_of(shared), "mount/source", read(shared)),
              BlobPush::mounted);
    EXPECT_EQ(reads, 0);  // a mount sends nothing
    EXPECT_EQ(client.get_blob("mount/target", Sha256::digest_of(shared), 1 << 20), shared);

    EXPECT_EQ(client.mount_or_push_blob("mount/target", Sha256::digest_of(alone), "mount/source", read(alone)),
              BlobPush::uploaded);
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(client.get_blob("mount/target", Sha256::digest_of(alone), 1 << 20), alone);
    EXPECT_FALSE(client.has_blob("mount/source", Sha256::digest_of(alone)));
}

}  // namespace
}  // namespace regcensus
