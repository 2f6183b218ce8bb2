#include <gtest/gtest.h>

#include "regcensus/manifest/execution_environment.hpp"
#include "regcensus/census/image_environment.hpp"
#include "regcensus/util/data_error.hpp"

namespace regcensus {
namespace {

TEST(ExecutionEnvironment, RunsAsRootByTheUserPart) {
    for (const char* user : {"", "root", "0", "0:0", "root:root", "0:1000", ":1000"}) EXPECT_TRUE(runs_as_root(user)) << user;
    for (const char* user : {"app", "1000", "1000:0", "nobody:root"}) EXPECT_FALSE(runs_as_root(user)) << user;
}

TEST(ExecutionEnvironment, ReadsEveryColumnOfAConfig) {
    const auto env = parse_config_environment(R"({
      "os": "linux", "architecture": "arm", "variant": "v7", "author": "me", "docker_version": "24.0.5",
      "config": {"User": "app", "Env": ["A=1", "B=2", "C=3"], "ExposedPorts": {"8080/tcp": {}, "443/tcp": {}},
                 "Entrypoint": ["/bin/tini", "--"], "Cmd": "run --fast", "WorkingDir": "/srv",
                 "Labels": {"a": "1", "b": "2"}},
      "history": [{"created": "2020-01-01T00:00:00Z", "created_by": "ADD x /"},
                  {"created": "not a time", "created_by": "ENV A=1", "empty_layer": true},
                  {"created_by": "RUN make"}]})");
    EXPECT_EQ(env.os, "linux");
    EXPECT_EQ(env.architecture, "arm");
    EXPECT_EQ(env.variant, "v7");
    EXPECT_EQ(env.user, "app");
    EXPECT_EQ(env.env_count, 3);
    EXPECT_EQ(env.exposed_ports, "443/tcp,8080/tcp");
    EXPECT_EQ(env.entrypoint, R"(["/bin/tini","--"])");
    EXPECT_EQ(env.cmd, R"(["run --fast"])");  // the string form, kept as a one-element array
    EXPECT_EQ(env.workdir, "/srv");
    EXPECT_EQ(env.label_count, 2);
    EXPECT_EQ(env.author, "me");
    EXPECT_EQ(env.docker_version, "24.0.5");
    ASSERT_EQ(env.history.size(), 3u);
    EXPECT_EQ(env.history[0].created, 1577836800);
    EXPECT_EQ(env.history[1].created, -1);
    EXPECT_TRUE(env.history[1].empty_layer);
    EXPECT_EQ(env.history[2].created, -1);
    EXPECT_EQ(env.history[2].created_by, "RUN make");
}

TEST(ExecutionEnvironment, NullAndAbsentFieldsAreEmpty) {
    const auto env = parse_config_environment(R"({"config": {"Entrypoint": null, "Cmd": null, "Labels": null, "Env": null}})");
    EXPECT_EQ(env.entrypoint, "");
    EXPECT_EQ(env.cmd, "");
    EXPECT_EQ(env.label_count, 0);
    EXPECT_EQ(env.env_count, 0);
    EXPECT_TRUE(env.history.empty());
    EXPECT_THROW(parse_config_environment("[1]"), DataError);
    EXPECT_THROW(parse_config_environment(R"({"history": [1]})"), DataError);
}

TEST(ExecutionEnvironment, Schema1NewestEntrySpeaksHistoryOldestFirst) {
    const auto env = parse_schema1_environment(R"({"schemaVersion": 1, "history": [
      {"v1Compatibility": "{\"created\":\"2016-05-04T03:02:01Z\",\"os\":\"linux\",\"architecture\":\"amd64\",\"config\":{\"User\":\"0\",\"Cmd\":[\"sh\"]},\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) CMD [\\\"sh\\\"]\"]},\"throwaway\":true}"},
      {"v1Compatibility": "{\"created\":\"2016-05-04T03:01:00Z\",\"config\":{\"User\":\"ignored\"},\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) ADD file:x in /\"]}}"},
      {"v1Compatibility": "not json"}]})");
    EXPECT_EQ(env.user, "0");
    EXPECT_EQ(env.cmd, R"(["sh"])");
    EXPECT_EQ(env.os, "linux");
    ASSERT_EQ(env.history.size(), 3u);
    EXPECT_EQ(env.history[0].created, -1);  // the unreadable oldest entry
    EXPECT_EQ(env.history[1].created_by, "/bin/sh -c #(nop) ADD file:x in /");
    EXPECT_FALSE(env.history[1].empty_layer);
    EXPECT_TRUE(env.history[2].empty_layer);
    EXPECT_EQ(env.history[2].created, 1462330921);
}

TEST(ImageEnvironment, PairsNonEmptyStepsWithLayersOrSaysItCannot) {
    ImageEnvironment e;
    e.config.history = {{10, "ADD", false}, {11, "ENV", true}, {12, "RUN", false}};
    pair_history(e, 2);
    EXPECT_EQ(e.history_count, 3);
    EXPECT_EQ(e.empty_layer_count, 1);
    EXPECT_EQ(e.history_mismatch, 0);
    ASSERT_EQ(e.layers.size(), 2u);
    EXPECT_EQ(e.layers[1].created, 12);
    EXPECT_EQ(e.layers[1].created_by, "RUN");

    ImageEnvironment m;
    m.config.history = {{10, "ADD", false}, {11, "ENV", true}};
    pair_history(m, 2);
    EXPECT_EQ(m.history_mismatch, 1);
    ASSERT_EQ(m.layers.size(), 2u);
    EXPECT_EQ(m.layers[0].created, -1);
    EXPECT_EQ(m.layers[0].created_by, "");

    ByteWriter out;
    encode(out, e);
    ByteReader in(out.bytes());
    const auto back = decode_image_environment(in);
    EXPECT_EQ(back.layers[1].created_by, "RUN");
    EXPECT_EQ(back.history_mismatch, 0);
    EXPECT_EQ(back.empty_layer_count, 1);
}

}  // namespace
}  // namespace regcensus

#include "regcensus/results/report_extras.hpp"

namespace regcensus {
namespace {

// The same cases as tests/integration/test_environment.py::test_build_instruction_words (analysis/extras.py).
TEST(ReportExtras, BuildInstructionIsTheFirstWordOfTheStep) {
    const std::pair<const char*, const char*> cases[] = {
        {"/bin/sh -c #(nop)  CMD [\"sh\"]", "CMD"}, {"/bin/sh -c #(nop) ADD file:x in / ", "ADD"},
        {"/bin/sh -c apt-get update", "RUN"},       {"|2 A=1 B=2 /bin/sh -c make", "RUN"},
        {"COPY . /app # buildkit", "COPY"},         {"RUN /bin/sh -c make # buildkit", "RUN"},
        {"", "(unknown)"},                          {"  ", "(unknown)"},
        {"/usr/bin/env", "(other)"},                {"workdir /app", "WORKDIR"}};
    for (const auto& [created_by, want] : cases) EXPECT_EQ(build_instruction(created_by), want) << created_by;
}

}  // namespace
}  // namespace regcensus
