#include "registry_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "regcensus/registry/http_session.hpp"

extern char** environ;

namespace regcensus::testing {

TempDirectory::TempDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "regcensus-test-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDirectory::~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

int pick_free_loopback_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        close(fd);
        throw std::runtime_error("cannot bind a loopback port");
    }
    close(fd);
    return ntohs(address.sin_port);
}

std::string make_test_bytes(size_t size, uint64_t seed) {
    std::mt19937_64 random(seed);
    std::string bytes(size, '\0');
    for (size_t i = 0; i < size; i += 8) {
        const uint64_t word = random();
        for (size_t j = 0; j < 8 && i + j < size; ++j) bytes[i + j] = char(word >> (8 * j));
    }
    return bytes;
}

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// SIGTERM, up to 5 s to exit, then SIGKILL; always reaped.
void stop_process(pid_t pid) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; ++i) {
        if (waitpid(pid, nullptr, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
}

}  // namespace

std::string drain(ByteSource& source) {
    std::string bytes;
    for (auto chunk = source.next(); !chunk.empty(); chunk = source.next())
        bytes.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    return bytes;
}

ScriptedServer::ScriptedServer(std::vector<std::string> responses) : responses_(std::move(responses)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    listen(listener_, 8);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
}

ScriptedServer::~ScriptedServer() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
}

std::vector<std::string> ScriptedServer::requests() {
    std::lock_guard lock(mutex_);
    return requests_;
}

void ScriptedServer::serve() {
    for (const auto& response : responses_) {
        const int connection = accept(listener_, nullptr, nullptr);
        if (connection < 0) return;
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            const ssize_t n = read(connection, buffer, sizeof buffer);
            if (n <= 0) break;
            request.append(buffer, size_t(n));
        }
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(request);
        }
        (void)!write(connection, response.data(), response.size());
        close(connection);
    }
}

RegistryProcess::RegistryProcess() : RegistryProcess(std::string()) {}

RegistryProcess::RegistryProcess(const std::string& extra_config, int chosen_port) {
    const int port = chosen_port > 0 ? chosen_port : pick_free_loopback_port();
    url_ = "http://127.0.0.1:" + std::to_string(port);
    const auto config_path = directory_.path() / "config.yml";
    const auto log_path = directory_.path() / "registry.log";
    {
        std::ofstream config(config_path);
        config << "version: 0.1\n"
                  "log:\n"
                  "  level: warn\n"
                  "  accesslog:\n"
                  "    disabled: true\n"
                  "storage:\n"
                  "  filesystem:\n"
                  "    rootdirectory: "
               << (directory_.path() / "storage").string()
               << "\n"
                  "  delete:\n"
                  "    enabled: true\n"
                  "  maintenance:\n"
                  "    uploadpurging:\n"
                  "      enabled: false\n"
                  "http:\n"
                  "  addr: 127.0.0.1:"
               << port << "\n"
               << extra_config;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::string program = "docker-registry", command = "serve", config_argument = config_path.string();
    char* arguments[] = {program.data(), command.data(), config_argument.data(), nullptr};
    const int spawned = posix_spawnp(&pid_, "docker-registry", &actions, nullptr, arguments, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start docker-registry");

    HttpPolicy policy;
    policy.retries = 0;
    policy.connect_timeout_s = 2;
    HttpSession session(policy);
    HttpRequest probe;
    probe.url = url_ + "/v2/";
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("docker-registry exited at start:\n" + read_text(log_path));
        }
        try {
            const long status = session.perform(probe, 1 << 16).status;
            if (status == 200 || status == 401) return;  // 401: the registry wants credentials
        } catch (const std::exception&) {
            // not listening yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    throw std::runtime_error("docker-registry did not answer GET /v2/ within 20 s:\n" + read_text(log_path));
}

RegistryProcess::~RegistryProcess() { stop_process(pid_); }

ChildProcess::ChildProcess(const std::vector<std::string>& arguments, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> copies = arguments;
    std::vector<char*> argv;
    for (auto& argument : copies) argv.push_back(argument.data());
    argv.push_back(nullptr);
    const int spawned = posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + arguments.at(0));
}

ChildProcess::~ChildProcess() { stop_process(pid_); }

void wait_until_answering(const std::string& url) {
    HttpPolicy policy;
    policy.retries = 0;
    policy.connect_timeout_s = 2;
    policy.log_retries = false;
    HttpSession session(policy);
    HttpRequest probe;
    probe.url = url;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        try {
            if (session.perform(probe, 1 << 16).status > 0) return;
        } catch (const std::exception&) {
            // not listening yet
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error(url + " did not answer within 20 s");
}

RegistryProcess* RegistryTest::registry_ = nullptr;

void RegistryTest::SetUpTestSuite() {
    if (!registry_) registry_ = new RegistryProcess();
}

void RegistryTest::TearDownTestSuite() {
    delete registry_;
    registry_ = nullptr;
}

const std::string& RegistryTest::registry_url() { return registry_->url(); }

}  // namespace regcensus::testing
