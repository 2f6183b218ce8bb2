// One image cannot decide for the others what a shared layer is: the plan keeps
// the size and media type most images declare, fetches from the first image's
// repository with the others' as fallbacks, and calls a layer foreign only when
// every image does.
#include <gtest/gtest.h>

#include "regcensus/census/layer_plan.hpp"

namespace regcensus {
namespace {

ImageRecord image(std::string repository, std::vector<ImageLayerRef> layers) {
    ImageRecord row;
    row.reference = repository + ":1";
    row.repository = std::move(repository);
    row.layers = std::move(layers);
    return row;
}

const std::string kGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
const std::string kOci = "application/vnd.oci.image.layer.v1.tar+gzip";

TEST(LayerPlanVote, TheSizeAndMediaTypeMostImagesDeclareWin) {
    const auto plan = plan_layers({image("lib/liar", {{"sha256:aa", kOci, 999, false}}),
                                   image("lib/one", {{"sha256:aa", kGzip, 100, false}}),
                                   image("lib/two", {{"sha256:aa", kGzip, 100, false}})});
    ASSERT_EQ(plan.layers.size(), 1u);
    const auto& layer = plan.layers[0];
    EXPECT_EQ(layer.size, 100);
    EXPECT_EQ(layer.largest_declared_size, 999);  // the read bound: an honest image must never be cut short
    EXPECT_EQ(layer.media_type, kGzip);
    EXPECT_EQ(layer.ref_count, 3);
    EXPECT_EQ(layer.repository, "lib/liar");
    EXPECT_EQ(layer.other_repositories, (std::vector<std::string>{"lib/one", "lib/two"}));
}

TEST(LayerPlanVote, TiesGoToTheSmallestValue) {
    const auto plan = plan_layers({image("lib/a", {{"sha256:aa", kOci, 300, false}}),
                                   image("lib/b", {{"sha256:aa", kGzip, 200, false}})});
    EXPECT_EQ(plan.layers[0].size, 200);
    EXPECT_EQ(plan.layers[0].media_type, kGzip);  // "application/vnd.d..." < "application/vnd.o..."
}

TEST(LayerPlanVote, ForeignOnlyWhenEveryImageSaysSo) {
    const auto plan = plan_layers({image("lib/a", {{"sha256:aa", kGzip, 1, true}, {"sha256:bb", kGzip, 1, true}}),
                                   image("lib/b", {{"sha256:aa", kGzip, 1, false}, {"sha256:bb", kGzip, 1, true}})});
    EXPECT_FALSE(plan.layers[0].foreign);
    EXPECT_TRUE(plan.layers[1].foreign);
}

TEST(LayerPlanVote, AnImageListingALayerTwiceVotesOnce) {
    const auto plan = plan_layers({image("lib/a", {{"sha256:aa", kGzip, 7, false}, {"sha256:aa", kGzip, 7, false},
                                                   {"sha256:aa", kGzip, 7, false}}),
                                   image("lib/b", {{"sha256:aa", kGzip, 5, false}}),
                                   image("lib/c", {{"sha256:aa", kGzip, 5, false}})});
    EXPECT_EQ(plan.layers[0].size, 5);
    EXPECT_EQ(plan.layers[0].ref_count, 3);
    EXPECT_EQ(plan.image_layer_offsets, (std::vector<int64_t>{0, 3, 4, 5}));
}

TEST(LayerPlanVote, NoDeclaredSizeMeansNoBound) {
    const auto plan = plan_layers({image("lib/a", {{"sha256:aa", kGzip, -1, false}, {"sha256:bb", kGzip, -1, false}}),
                                   image("lib/b", {{"sha256:bb", kGzip, 40, false}})});
    EXPECT_EQ(plan.layers[0].largest_declared_size, -1);  // schema 1 only
    EXPECT_EQ(plan.layers[1].largest_declared_size, 40);
}

}  // namespace
}  // namespace regcensus
