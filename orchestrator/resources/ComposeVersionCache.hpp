#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace orchestrate {

// `docker compose version --short` costs two Go binaries' start-up: 100-250 ms on a quiet
// machine, over a second on a busy one, and a run with warm stacks (or no stacks) waits for it
// before its first test. The answer can only change when the binaries do, so a passing answer is
// kept in a file keyed by the binaries' fingerprint and reused while the fingerprint is the same.

// Who answers `docker compose`: the `docker` found on PATH and every file the docker CLI looks at
// for the compose plugin ($DOCKER_CONFIG or ~/.docker, then the system plugin folders), each with
// its size and modification time ("-" for a missing one). A new binary, a plugin installed in
// another folder or a changed PATH give another fingerprint.
std::string compose_binaries_fingerprint();

// The version kept in `cache_file` for `fingerprint`, or nullopt (no file, another fingerprint, an
// unreadable file: the probe runs as before).
std::optional<std::string> cached_compose_version(const std::filesystem::path& cache_file,
                                                  const std::string& fingerprint);

// Keeps `version` (a passing probe's output) for `fingerprint`. Best effort: a file that cannot be
// written only costs the next run its probe.
void remember_compose_version(const std::filesystem::path& cache_file,
                              const std::string& fingerprint, const std::string& version);

}  // namespace orchestrate
