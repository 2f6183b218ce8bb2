// Checked writes, shard validation, the work directory lock and plan
// parameters (docs/trust.md, "durable").
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "regcensus/h5/atomic_h5_file.hpp"
#include "regcensus/h5/h5_location.hpp"
#include "regcensus/plan/plan_parameters.hpp"
#include "regcensus/workdir/shard_file.hpp"
#include "regcensus/workdir/work_lock.hpp"
#include "registry_fixture.hpp"

namespace fs = std::filesystem;

namespace regcensus {
namespace {

using regcensus::testing::TempDirectory;

// A file whose close failed stays half-closed inside HDF5, and HDF5's own exit
// handler crashes closing it a second time. regcensus never gets there (a
// failed write ends the process through the failure policy, which skips exit
// handlers); this test process returns from main, so it opts out of them.
const bool kNoHdf5ExitHandler = [] { return H5dont_atexit() >= 0; }();

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> names_in(const fs::path& directory) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

TEST(CheckedH5Close, AFullDiskAtCreateIsAnErrorNamingThePathAndTheCause) {
    // /dev/full takes the open and fails every write with ENOSPC, as a full disk does.
    try {
        h5::File::create("/dev/full");
        FAIL() << "created an HDF5 file on /dev/full";
    } catch (const h5::Error& e) {
        EXPECT_EQ(std::string(e.what()), "cannot create /dev/full: No space left on device");
        EXPECT_EQ(e.cause(), "No space left on device");
    }
}

// The file size limit fails writes past it with EFBIG, like a quota: HDF5
// keeps metadata in its cache until the flush, so the failure comes at close.
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        rlimit limit = saved_;
        limit.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

TEST(CheckedH5Close, AWriteFailingAtTheFlushFailsTheClose) {
    TempDirectory directory;
    const auto path = (directory.path() / "big.h5").string();
    auto file = h5::File::create(path);
    {
        const FileSizeLimit limit(8192);
        for (int i = 0; i < 200; ++i) file.set_attribute("attribute" + std::to_string(i), std::string(100, 'x'));
        try {
            file.close();
            FAIL() << "close succeeded past the file size limit";
        } catch (const h5::Error& e) {
            EXPECT_EQ(std::string(e.what()), "cannot write " + path + ": File too large");
        }
    }
}

TEST(CheckedH5Close, OpeningANonHdf5FileNamesThePath) {
    TempDirectory directory;
    const auto path = directory.path() / "plain.txt";
    std::ofstream(path) << "not HDF5";
    try {
        h5::File::open_read(path.string());
        FAIL() << "opened a text file as HDF5";
    } catch (const h5::Error& e) {
        EXPECT_TRUE(std::string(e.what()).starts_with("cannot open " + path.string() + ": ")) << e.what();
    }
}

TEST(AtomicH5Write, AFailureLeavesTheOldFileAndNoTemporary) {
    TempDirectory directory;
    const auto path = (directory.path() / "results.h5").string();
    h5::write_atomically(path, [](const h5::File& file) { file.set_attribute("generation", int64_t{1}); });
    const auto before = read_all(path);
    EXPECT_THROW(h5::write_atomically(path,
                                      [](const h5::File& file) {
                                          file.set_attribute("generation", int64_t{2});
                                          file.set_attribute("generation", int64_t{3});  // exists: HDF5 refuses
                                      }),
                 std::runtime_error);
    EXPECT_EQ(read_all(path), before);
    EXPECT_EQ(names_in(directory.path()), std::vector<std::string>{"results.h5"});
    EXPECT_EQ(h5::File::open_read(path).int64_attribute("generation"), 1);
}

class ShardValidationTest : public ::testing::Test {
protected:
    void SetUp() override {
        ShardResult shard;
        shard.shard_id = 3;
        for (const char* digest : {"sha256:aa", "sha256:bb"}) {
            LayerAnalysis layer;
            layer.profile.digest = digest;
            layer.profile.status = "ok";
            FileRecord file;
            file.path = "etc/x";
            layer.files.push_back(file);
            shard.layers.push_back(layer);
        }
        path_ = shard_path(directory_.path().string(), 3);
        write_shard(shard, path_);
    }
    TempDirectory directory_;
    std::string path_;
    std::vector<std::string> digests_{"sha256:aa", "sha256:bb"};
};

TEST_F(ShardValidationTest, AGoodShardHasNoProblem) { EXPECT_EQ(shard_file_problem(path_, 3, digests_), std::nullopt); }

TEST_F(ShardValidationTest, AnotherShardNumberOrOtherLayersAreProblems) {
    EXPECT_EQ(shard_file_problem(path_, 4, digests_).value_or(""), "holds shard 3");
    EXPECT_EQ(shard_file_problem(path_, 3, {"sha256:bb", "sha256:aa"}).value_or(""),
              "its layers are not the plan's for this shard");
    EXPECT_TRUE(shard_file_problem(path_, 3, {"sha256:aa"}).has_value());
}

TEST_F(ShardValidationTest, ATruncatedOrGarbageFileIsAProblemNotAnException) {
    fs::resize_file(path_, fs::file_size(path_) / 2);
    const auto truncated = shard_file_problem(path_, 3, digests_);
    ASSERT_TRUE(truncated.has_value());
    EXPECT_TRUE(truncated->starts_with("cannot open " + path_)) << *truncated;
    std::ofstream(path_, std::ios::trunc) << std::string(5000, 'z');
    EXPECT_TRUE(shard_file_problem(path_, 3, digests_).has_value());
}

TEST_F(ShardValidationTest, ABadShardIsSetAsideUnderBad) {
    const auto moved = set_shard_aside(directory_.path().string(), 3);
    EXPECT_FALSE(fs::exists(path_));
    EXPECT_TRUE(fs::exists(moved));
    EXPECT_EQ(fs::path(moved).parent_path(), directory_.path() / "shards" / "bad");
    EXPECT_TRUE(fs::path(moved).filename().string().starts_with("shard-00003.h5."));
}

TEST(WorkLock, ExclusiveExcludesEverythingSharedExcludesExclusive) {
    TempDirectory directory;
    const auto work = directory.path().string();
    {
        const auto held = WorkLock::acquire(work, WorkLockMode::exclusive, "regcensus run A");
        EXPECT_TRUE(held.held());
        try {
            WorkLock::acquire(work, WorkLockMode::shared, "regcensus run B");
            FAIL() << "a second lock was granted";
        } catch (const std::runtime_error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find("is in use by another regcensus (host "), std::string::npos) << message;
            EXPECT_NE(message.find(" pid " + std::to_string(::getpid()) + " since "), std::string::npos) << message;
            EXPECT_NE(message.find("(exclusive): regcensus run A)"), std::string::npos) << message;
        }
    }
    {
        const auto first = WorkLock::acquire(work, WorkLockMode::shared, "task 1");
        const auto second = WorkLock::acquire(work, WorkLockMode::shared, "task 2");
        EXPECT_TRUE(first.held() && second.held());
        EXPECT_THROW(WorkLock::acquire(work, WorkLockMode::exclusive, "merge"), std::runtime_error);
    }
    EXPECT_TRUE(WorkLock::acquire(work, WorkLockMode::exclusive, "merge").held());
}

// Slurm starts array tasks together: every one of them must be in the record.
// The children wait on one pipe so that they take the lock at the same moment.
TEST(WorkLock, TasksStartingTogetherAllRecordThemselves) {
    TempDirectory directory;
    const auto work = directory.path().string();
    WorkLock::acquire(work, WorkLockMode::exclusive, "plan");
    constexpr int kTasks = 32;
    int start[2];
    ASSERT_EQ(::pipe(start), 0);
    std::vector<pid_t> children;
    for (int task = 0; task < kTasks; ++task) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            ::close(start[1]);
            char byte;
            while (::read(start[0], &byte, 1) < 0 && errno == EINTR) {
            }
            try {
                WorkLock::acquire(work, WorkLockMode::shared, "task " + std::to_string(task));
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        children.push_back(child);
    }
    ::close(start[0]);
    ::close(start[1]);  // every child's read returns now
    for (const auto child : children) {
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    std::istringstream records(read_all(work_lock_path(work)));
    std::vector<std::string> lines;
    for (std::string line; std::getline(records, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), kTasks + 1u) << read_all(work_lock_path(work));
    EXPECT_NE(lines[0].find("(exclusive): plan"), std::string::npos) << lines[0];
    std::vector<int> recorded;
    for (std::size_t i = 1; i < lines.size(); ++i) {
        const auto at = lines[i].find("(shared): task ");
        ASSERT_NE(at, std::string::npos) << lines[i];
        recorded.push_back(std::stoi(lines[i].substr(at + 15)));
    }
    std::sort(recorded.begin(), recorded.end());
    for (int task = 0; task < kTasks; ++task) EXPECT_EQ(recorded[task], task);
}

TEST(LeftoverTemporaries, OnlyTemporaryNamesAreRemoved) {
    TempDirectory directory;
    const auto work = directory.path() / "work";
    fs::create_directories(work / "shards");
    for (const auto& name : {"shards/.shard-00001.h5.tmp.12.3", "shards/shard-00002.h5.tmp.4242", "shards/shard-00003.h5",
                             "notes.tmp.txt", "plan.h5"})
        std::ofstream(work / name) << "x";
    std::ofstream(directory.path() / ".results.h5.tmp.1.2") << "x";
    std::ofstream(directory.path() / ".other.h5.tmp.1.2") << "x";
    EXPECT_EQ(remove_leftover_temporaries(work.string(), (directory.path() / "results.h5").string()), 3u);
    EXPECT_EQ(names_in(work / "shards"), std::vector<std::string>{"shard-00003.h5"});
    EXPECT_EQ(names_in(work), (std::vector<std::string>{"notes.tmp.txt", "plan.h5", "shards"}));
    EXPECT_EQ(names_in(directory.path()), (std::vector<std::string>{".other.h5.tmp.1.2", "work"}));
}

TEST(PlanParameters, EachDifferenceIsOneLineAndUnrecordedNamesAreNotCompared) {
    const PlanParameters planned{{"platform", "linux/amd64"}, {"shard_bytes", "auto"}, {"registry", "http://a"}};
    const PlanParameters given{{"platform", "linux/arm64"}, {"shard_bytes", "auto"}, {"registry", "http://b"},
                               {"images_sha256", "sha256:11"}};
    EXPECT_EQ(plan_parameter_differences(planned, given),
              (std::vector<std::string>{"--registry http://b differs from the plan's http://a",
                                        "--platform linux/arm64 differs from the plan's linux/amd64"}));
    EXPECT_TRUE(plan_parameter_differences(planned, planned).empty());
}

TEST(PlanParameters, TheImageListIsRecordedByPathAndContentWithoutCredentials) {
    TempDirectory directory;
    const auto list = directory.path() / "images.txt";
    std::ofstream(list) << "library/debian:12\n";
    CensusOptions options;
    options.registry_url = "https://user:secret@registry.example";
    options.images_path = list.string();
    const auto parameters = plan_parameters_of(options);
    EXPECT_EQ(parameters.at("registry"), "https://registry.example");
    EXPECT_EQ(parameters.at("images"), list.string());
    EXPECT_EQ(parameters.at("images_sha256"), "sha256:a5b81ecef38a4f11040267edca7b1cdb4d97eb75495dcd7fe411ab88b68a2b3a");
    EXPECT_EQ(parameters.at("shard_bytes"), "auto");
    std::ofstream(list, std::ios::app) << "library/alpine:3\n";
    EXPECT_NE(plan_parameters_of(options).at("images_sha256"), parameters.at("images_sha256"));
}

}  // namespace
}  // namespace regcensus
