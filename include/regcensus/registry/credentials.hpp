#pragma once
// Registry credentials from a docker config.json, found and read the way the
// docker CLI, podman and skopeo do, so that a user's existing login works.
// Credentials are secrets: nothing here ever prints or logs them.
#include <filesystem>
#include <optional>
#include <string>

namespace regcensus {

struct RegistryCredential {
    std::string username;
    std::string password;        // a password or a personal access token
    std::string identity_token;  // an OAuth2 refresh token (docker login's `identitytoken`), used instead of Basic
    bool empty() const { return username.empty() && password.empty() && identity_token.empty(); }
};

// The config.json to read: `explicit_path` if non-empty, else $REGISTRY_AUTH_FILE,
// else $DOCKER_CONFIG/config.json, else ~/.docker/config.json; nullopt when the
// chosen one (or, without an explicit choice, all of them) does not exist.
// An explicit path that does not exist throws std::runtime_error.
std::optional<std::filesystem::path> find_auth_file(const std::string& explicit_path);

// The key docker uses for a registry host: "https://index.docker.io/v1/" for
// Docker Hub (registry-1.docker.io, docker.io, index.docker.io), else "host[:port]".
std::string credential_key(const std::string& registry_host);

// The credential for `registry_host` ("host[:port]") from `auth_file`:
// `credHelpers[host]`, else `auths` (keys compared without scheme and path,
// `auth` = base64 "user:password", or `identitytoken`), else `credsStore`.
// Helpers run as `docker-credential-NAME get` (found on PATH) with the key on
// stdin. nullopt when there is none. A malformed file throws std::runtime_error
// whose message names the file, never a secret.
std::optional<RegistryCredential> load_credential(const std::filesystem::path& auth_file,
                                                  const std::string& registry_host);

}  // namespace regcensus
