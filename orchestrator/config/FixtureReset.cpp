#include "config/FixtureReset.hpp"

namespace orchestrate {

namespace {

const std::vector<std::string> k_exec_keys = {"exec", "timeout"};
constexpr const char* k_expected =
  "recreate, none, or {exec: [\"sh\", \"-c\", \"...\"]} (a command run inside the container)";

}  // namespace

ResetSpec read_fixture_reset(const YamlMapping& fixture_file)
{
  ResetSpec reset;
  const auto value = fixture_file.get("reset");
  if (!value) {
    return reset;
  }
  reset.line = value->line();
  if (value->node().IsMap()) {
    const auto mapping = value->as_mapping();
    mapping.check_keys(k_exec_keys);
    reset.kind = ResetSpec::Kind::k_exec;
    // An argv, never a shell string: a shell is only used when the fixture writes one.
    reset.argv = mapping.require("exec", "the command's argv, e.g. [\"sh\", \"-c\", \"...\"]")
                   .as_string_list("strings (an argv: write [\"sh\", \"-c\", \"...\"] to use a "
                                   "shell)",
                                   true);
    if (const auto timeout = mapping.get("timeout")) {
      reset.timeout = timeout->as_duration();
      if (reset.timeout.count() == 0) {
        timeout->fail_expected("a duration longer than 0");
      }
    }
    return reset;
  }
  if (!value->node().IsScalar()) {
    value->fail_expected(k_expected);
  }
  const auto word = value->as_string();
  if (word == "recreate") {
    reset.kind = ResetSpec::Kind::k_recreate;
  } else if (word == "none") {
    reset.kind = ResetSpec::Kind::k_none;
  } else {
    value->fail_expected(k_expected);
  }
  return reset;
}

}  // namespace orchestrate
