#pragma once
// A real CNCF distribution registry (`docker-registry serve`) for tests: its
// config and storage in a temp dir, listening on a free loopback port, killed
// by its pid at teardown. Loopback only, ever.
#include <sys/types.h>

#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "regcensus/util/byte_source.hpp"

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
    // With YAML appended to the config (e.g. an `auth:` section); `port` 0 picks one.
    explicit RegistryProcess(const std::string& extra_config, int port = 0);
    ~RegistryProcess();  // SIGTERM, then SIGKILL, by pid
    RegistryProcess(const RegistryProcess&) = delete;
    RegistryProcess& operator=(const RegistryProcess&) = delete;

    const std::string& url() const { return url_; }  // "http://127.0.0.1:<port>"
    const std::filesystem::path& directory() const { return directory_.path(); }

private:
    TempDirectory directory_;
    std::string url_;
    pid_t pid_ = -1;
};

// A child process (a test server) killed by its pid at teardown; stdout and stderr to `log`.
class ChildProcess {
public:
    ChildProcess(const std::vector<std::string>& arguments, const std::filesystem::path& log);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

private:
    pid_t pid_ = -1;
};

// Waits until GET `url` answers with any HTTP status; throws after 20 s.
void wait_until_answering(const std::string& url);

// A loopback TCP port nobody listens on right now (bound to port 0, then released).
int pick_free_loopback_port();

// Deterministic pseudo-random bytes, distinct per seed.
std::string make_test_bytes(size_t size, uint64_t seed);

// Everything a ByteSource yields, as one string.
std::string drain(ByteSource& source);

// A loopback HTTP server that answers its scripted responses in order, one
// connection each (a short body ends with the close), and records the requests
// (head and headers). For what a real registry will not do: cut bodies, ignore
// Range, redirect elsewhere.
class ScriptedServer {
public:
    explicit ScriptedServer(std::vector<std::string> responses);
    ~ScriptedServer();
    ScriptedServer(const ScriptedServer&) = delete;
    ScriptedServer& operator=(const ScriptedServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> requests();

private:
    void serve();
    std::vector<std::string> responses_;
    std::vector<std::string> requests_;
    std::mutex mutex_;
    int listener_ = -1;
    int port_ = 0;
    std::thread thread_;
};

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
