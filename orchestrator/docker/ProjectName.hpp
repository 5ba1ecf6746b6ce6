#pragma once

#include <string>

namespace orchestrate {

// Compose project names must be lowercase letters, digits, '-' and '_', starting with a letter or
// digit. Returns `text` lowercased with every other character replaced by '-', and leading
// separators dropped; "x" when nothing usable is left.
std::string to_project_name_component(const std::string& text);

// True when `name` follows compose's project name rules.
bool is_valid_project_name(const std::string& name);

// The project name of one shard stack: `<prefix>-<env>-<run_id>-s<shard>`, e.g. `shop-test-3f9a1c2e-s4`.
// Unique per run and shard, so stacks of concurrent runs and shards never collide.
std::string shard_project_name(const std::string& prefix, const std::string& environment,
                               const std::string& run_id, int shard);

// The project name of a long-lived environment stack (`orchestrate env up`): `<prefix>-<env>`.
std::string environment_project_name(const std::string& prefix, const std::string& environment);

// A fresh run id: 8 lowercase hex characters from a random device.
std::string new_run_id();

}  // namespace orchestrate
