#pragma once
// A real CNCF distribution registry (`docker-registry serve`) for tests: its
// config and storage in a temp dir, listening on a free loopback port, killed
// by its pid at teardown. Loopback only, ever.
#include <sys/types.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace regcensus::testing {

// A fresh directory under the system temp dir, removed with its content.
class TempDirectory {
public:
    TempDirectory();
    ~TempDirectory();
    TempDirectory(const TempDirectory&) = delete;
    TempDirectory& operator=(const TempDirectory&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class RegistryProcess {
public:
    RegistryProcess();   // throws std::runtime_error when the registry does not come up
    ~RegistryProcess();  // SIGTERM, then SIGKILL, by pid
    RegistryProcess(const RegistryProcess&) = delete;
    RegistryProcess& operator=(const RegistryProcess&) = delete;

    const std::string& url() const { return url_; }  // "http://127.0.0.1:<port>"

private:
    TempDirectory directory_;
    std::string url_;
    pid_t pid_ = -1;
};

// A loopback TCP port nobody listens on right now (bound to port 0, then released).
int pick_free_loopback_port();

// Deterministic pseudo-random bytes, distinct per seed.
std::string make_test_bytes(size_t size, uint64_t seed);

// One registry per test suite: starting one costs a few hundred ms.
class RegistryTest : public ::testing::Test {
public:
    static void SetUpTestSuite();
    static void TearDownTestSuite();

protected:
    static const std::string& registry_url();

private:
    static RegistryProcess* registry_;
};

}  // namespace regcensus::testing
