#include "regcensus/registry/credentials.hpp"

#include <fcntl.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "regcensus/util/base64.hpp"

extern char** environ;

namespace regcensus {

namespace {

constexpr std::string_view kDockerHubKey = "https://index.docker.io/v1/";

std::string lowercase(std::string text) {
    for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

bool is_docker_hub(const std::string& host) {
    const std::string lower = lowercase(host);
    return lower == "registry-1.docker.io" || lower == "docker.io" || lower == "index.docker.io";
}

// "https://host:5000/v1/" -> "host:5000": config.json keys are written many ways.
std::string normalized_key(std::string_view key) {
    if (const size_t scheme = key.find("://"); scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
    key = key.substr(0, key.find('/'));
    std::string host = lowercase(std::string(key));
    return is_docker_hub(host) ? "index.docker.io" : host;
}

// A pipe end closed exactly once.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd = -1) : fd_(fd) {}
    ~FileDescriptor() { reset(); }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) close(fd_);
        fd_ = -1;
    }

private:
    int fd_;
};

// Runs `docker-credential-<helper> get` with `server` on stdin; returns its
// stdout, or nullopt when it exits non-zero ("credentials not found").
std::optional<std::string> run_credential_helper(const std::string& helper, const std::string& server) {
    if (helper.empty() || helper.find('/') != std::string::npos)
        throw std::runtime_error("credential helper name '" + helper + "' is not valid");
    int to_child[2], from_child[2];
    if (pipe2(to_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    FileDescriptor child_in(to_child[0]), write_end(to_child[1]);
    if (pipe2(from_child, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    FileDescriptor read_end(from_child[0]), child_out(from_child[1]);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, child_in.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, child_out.get(), 1);
    std::string program = "docker-credential-" + helper, command = "get";
    char* arguments[] = {program.data(), command.data(), nullptr};
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, program.c_str(), &actions, nullptr, arguments, environ);
    posix_spawn_file_actions_destroy(&actions);
    child_in.reset();
    child_out.reset();
    if (spawned != 0) throw std::runtime_error("cannot run " + program + " (not on PATH?)");

    // The key is a few dozen bytes: it fits the pipe buffer, no deadlock with the read below.
    // SIGPIPE is not at risk either: a helper that exits early closes its end, write fails with EPIPE
    // only if SIGPIPE is ignored; MSG_NOSIGNAL does not apply to pipes, so block it for this write.
    sigset_t block, previous;
    sigemptyset(&block);
    sigaddset(&block, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &block, &previous);
    [[maybe_unused]] const ssize_t written = write(write_end.get(), server.data(), server.size());
    write_end.reset();
    timespec no_wait{0, 0};
    sigtimedwait(&block, nullptr, &no_wait);  // swallow a pending SIGPIPE, if any
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);

    std::string output;
    char buffer[4096];
    while (true) {
        const ssize_t n = read(read_end.get(), buffer, sizeof buffer);
        if (n > 0) output.append(buffer, size_t(n));
        else if (n == 0 || errno != EINTR) break;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    return output;
}

std::optional<RegistryCredential> credential_from_helper(const std::string& helper, const std::string& key) {
    const auto output = run_credential_helper(helper, key);
    if (!output) return std::nullopt;
    simdjson::dom::parser parser;
    simdjson::dom::element document;
    if (parser.parse(simdjson::padded_string(*output)).get(document) != simdjson::SUCCESS)
        throw std::runtime_error("docker-credential-" + helper + " printed something that is not JSON");
    std::string_view username, secret;
    if (document["Username"].get_string().get(username) != simdjson::SUCCESS) username = {};
    if (document["Secret"].get_string().get(secret) != simdjson::SUCCESS) secret = {};
    RegistryCredential credential;
    // docker's convention: the user "<token>" means the secret is an identity token.
    if (username == "<token>")
        credential.identity_token = std::string(secret);
    else {
        credential.username = std::string(username);
        credential.password = std::string(secret);
    }
    if (credential.empty()) return std::nullopt;
    return credential;
}

std::string read_whole_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read the auth file " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::optional<std::filesystem::path> find_auth_file(const std::string& explicit_path) {
    if (!explicit_path.empty()) {
        if (!std::filesystem::is_regular_file(explicit_path))
            throw std::runtime_error("the auth file " + explicit_path + " does not exist");
        return std::filesystem::path(explicit_path);
    }
    std::vector<std::filesystem::path> candidates;
    if (const char* file = std::getenv("REGISTRY_AUTH_FILE"); file && *file) candidates.emplace_back(file);
    if (const char* directory = std::getenv("DOCKER_CONFIG"); directory && *directory)
        candidates.push_back(std::filesystem::path(directory) / "config.json");
    if (const char* home = std::getenv("HOME"); home && *home)
        candidates.push_back(std::filesystem::path(home) / ".docker" / "config.json");
    for (const auto& candidate : candidates)
        if (std::filesystem::is_regular_file(candidate)) return candidate;
    return std::nullopt;
}

std::string credential_key(const std::string& registry_host) {
    return is_docker_hub(registry_host) ? std::string(kDockerHubKey) : lowercase(registry_host);
}

std::optional<RegistryCredential> load_credential(const std::filesystem::path& auth_file,
                                                  const std::string& registry_host) {
    const std::string text = read_whole_file(auth_file);
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(simdjson::padded_string(text)).get(root) != simdjson::SUCCESS || !root.is_object())
        throw std::runtime_error("the auth file " + auth_file.string() + " is not a JSON object");
    const std::string wanted = normalized_key(registry_host);
    const std::string key = credential_key(registry_host);

    simdjson::dom::object helpers;
    if (root["credHelpers"].get_object().get(helpers) == simdjson::SUCCESS) {
        for (auto [name, helper] : helpers) {
            std::string_view helper_name;
            if (normalized_key(name) == wanted && helper.get_string().get(helper_name) == simdjson::SUCCESS)
                return credential_from_helper(std::string(helper_name), key);
        }
    }

    simdjson::dom::object auths;
    if (root["auths"].get_object().get(auths) == simdjson::SUCCESS) {
        for (auto [name, entry] : auths) {
            if (normalized_key(name) != wanted) continue;
            RegistryCredential credential;
            std::string_view field;
            if (entry["identitytoken"].get_string().get(field) == simdjson::SUCCESS)
                credential.identity_token = std::string(field);
            if (entry["auth"].get_string().get(field) == simdjson::SUCCESS && !field.empty()) {
                const auto decoded = base64_decode(field);
                const size_t colon = decoded ? decoded->find(':') : std::string::npos;
                if (colon == std::string::npos)
                    throw std::runtime_error("the auth file " + auth_file.string() + " has an `auth` for " +
                                             std::string(name) + " that is not base64 of user:password");
                credential.username = decoded->substr(0, colon);
                credential.password = decoded->substr(colon + 1);
            } else {
                if (entry["username"].get_string().get(field) == simdjson::SUCCESS)
                    credential.username = std::string(field);
                if (entry["password"].get_string().get(field) == simdjson::SUCCESS)
                    credential.password = std::string(field);
            }
            // An entry with neither (`{}`, as docker writes when a credsStore holds the secret) falls through.
            if (!credential.empty()) return credential;
        }
    }

    std::string_view store;
    if (root["credsStore"].get_string().get(store) == simdjson::SUCCESS && !store.empty())
        return credential_from_helper(std::string(store), key);
    return std::nullopt;
}

}  // namespace regcensus
