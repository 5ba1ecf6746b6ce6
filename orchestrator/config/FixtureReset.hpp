#pragma once

#include "config/SuiteConfig.hpp"
#include "config/YamlFields.hpp"

namespace orchestrate {

// Reads `reset:` of a fixture file (the root mapping `fixture_file`):
//   reset: recreate                       (the default when absent)
//   reset: none
//   reset: {exec: ["sh", "-c", "..."], timeout: 30s}
// Throws ConfigError `path:line: ...` naming what was expected for any other value: another word,
// an empty or non-list `exec`, an unknown key of the mapping, a zero timeout.
ResetSpec read_fixture_reset(const YamlMapping& fixture_file);

}  // namespace orchestrate
