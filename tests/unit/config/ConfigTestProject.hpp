#pragma once

#include "config/ConfigLoader.hpp"
#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace orchestrate {

// A project folder of its own for each test, under the system temp dir, removed in TearDown.
// Tests write the configuration files they need into it and check loaded values or error messages.
class ConfigTestProject : public ::testing::Test
{
protected:
  void SetUp() override
  {
    m_temp_dir.emplace();
    m_root = m_temp_dir->path();
  }

  void TearDown() override
  {
    m_temp_dir.reset();
  }

  // Writes `text` to <root>/<relative>, creating its folders.
  void write(const std::string& relative, const std::string& text) const
  {
    const auto path = m_root / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }

  // A valid orchestrate.yaml with one compose file, followed by `extra` top-level lines.
  void write_project(const std::string& extra = "") const
  {
    write("compose/test.yml", "services: {}\n");
    write("orchestrate.yaml",
          "project: shop\n"
          "environments:\n"
          "  test:\n"
          "    compose_files: [compose/test.yml]\n" +
            extra);
  }

  ProjectConfig load_project() const
  {
    return load_project_config(m_root);
  }

  // `<root>/<relative>:<line>: `, the start of every message about a line of that file.
  std::string at(const std::string& relative, int line) const
  {
    return (m_root / relative).string() + ":" + std::to_string(line) + ": ";
  }

  // The message of the ConfigError that `load` throws; fails the test when it throws none.
  template <typename Load>
  static std::string config_error(Load&& load)
  {
    try {
      load();
    } catch (const ConfigError& error) {
      return error.what();
    }
    ADD_FAILURE() << "expected a ConfigError";
    return "";
  }

  // Checks that `message` starts with `at(relative, line)` and contains `fragment`.
  void expect_error_at(const std::string& message,
                       const std::string& relative,
                       int line,
                       const std::string& fragment) const
  {
    const std::string prefix = at(relative, line);
    EXPECT_EQ(message.substr(0, prefix.size()), prefix) << message;
    EXPECT_NE(message.find(fragment), std::string::npos)
      << "'" << fragment << "' not in: " << message;
  }

  std::optional<TempDir> m_temp_dir;
  std::filesystem::path m_root;
};

}  // namespace orchestrate
