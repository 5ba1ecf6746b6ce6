// The live progress display of the real binary: under a pseudo-terminal it draws a status line per
// shard and an overall line in place; with stdout not a terminal it stays plain lines.

#include "OrchestrateCli.hpp"
#include "unit/reporting/TerminalScreen.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace orchestrate {
namespace {

using testing::k_source_dir;
using testing::run_orchestrate;

constexpr int k_columns = 100;
constexpr int k_rows = 30;
constexpr auto k_pty_timeout = std::chrono::seconds(300);

struct PtyRun
{
  int exit_code = -1;
  std::string output;  // what the terminal received, with its "\r\n" line ends
};

// Runs `orchestrate <arguments>` from the source dir with stdout and stderr on a pseudo-terminal
// of k_columns x k_rows, `environment` added to ours, and reads everything it writes. With
// `ctrl_c_after`, types Ctrl-C (the terminal's interrupt character: SIGINT to the foreground
// process group and `^C` echoed) once the output holds that text.
PtyRun run_orchestrate_in_pty(const std::vector<std::string>& arguments,
                              const std::map<std::string, std::string>& environment,
                              std::string ctrl_c_after = {})
{
  // Everything the child needs is built before fork: only exec-safe calls happen after it.
  std::vector<std::string> argv_storage{ORCHESTRATE_BINARY};
  argv_storage.insert(argv_storage.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& argument : argv_storage) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  std::vector<std::string> env_storage;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text(*entry);
    if (environment.count(text.substr(0, text.find('='))) == 0) {
      env_storage.push_back(text);
    }
  }
  for (const auto& [name, value] : environment) {
    env_storage.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& entry : env_storage) {
    envp.push_back(entry.data());
  }
  envp.push_back(nullptr);
  const std::string directory = k_source_dir.string();

  winsize size{};
  size.ws_col = k_columns;
  size.ws_row = k_rows;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) {
    throw std::runtime_error("forkpty failed");
  }
  if (pid == 0) {
    if (::chdir(directory.c_str()) == 0) {
      ::execve(argv[0], argv.data(), envp.data());
    }
    ::_exit(127);
  }

  PtyRun run;
  const auto deadline = std::chrono::steady_clock::now() + k_pty_timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd readable{master, POLLIN, 0};
    if (::poll(&readable, 1, 1000) <= 0) {
      continue;
    }
    const auto n = ::read(master, buffer, sizeof buffer);
    if (n > 0) {
      run.output.append(buffer, static_cast<std::size_t>(n));
      if (!ctrl_c_after.empty() && run.output.find(ctrl_c_after) != std::string::npos) {
        [[maybe_unused]] const auto typed = ::write(master, "\x03", 1);
        ctrl_c_after.clear();
      }
    } else if (n == 0 || errno != EINTR) {
      break;  // EIO: the child and everything it started closed the terminal
    }
  }
  int status = 0;
  if (std::chrono::steady_clock::now() >= deadline) {
    ::kill(pid, SIGKILL);
  }
  ::waitpid(pid, &status, 0);
  ::close(master);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool contains(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}

const std::vector<std::string> k_unit_run{"--suite", "unit", "--parallel", "2"};

TEST(LiveProgressTest, OnATerminalDrawsAShardLineEachAndTheOverallLineInPlace)
{
  const auto run = run_orchestrate_in_pty(k_unit_run, {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_TRUE(contains(run.output, "shard 1  done: ")) << run.output;
  EXPECT_TRUE(contains(run.output, "shard 2  done: ")) << run.output;
  EXPECT_TRUE(contains(run.output, "[100%] 20 of 20 tests: 20 passed, 0 failed, 0 skipped in "))
    << run.output;
  // Redrawn in place: the cursor goes back up over the block's three lines.
  EXPECT_TRUE(contains(run.output, "\r\033[3A")) << run.output;
  // Passing tests are counted in the block, not printed one per line.
  EXPECT_FALSE(contains(run.output, " PASSED [")) << run.output;
  EXPECT_TRUE(contains(run.output, "==== 20 passed in ")) << run.output;
  // NO_COLOR: cursor movement stays, colour goes.
  EXPECT_FALSE(testing::has_color_sequence(run.output)) << run.output;
}

TEST(LiveProgressTest, TheScreenEndsWithTheFinalBlockThenTheSummaryLine)
{
  const auto run = run_orchestrate_in_pty(k_unit_run, {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  testing::TerminalScreen screen;
  screen.write(run.output);
  const auto lines = screen.lines();
  ASSERT_GE(lines.size(), 4u) << run.output;
  const auto last = lines.size() - 1;
  EXPECT_EQ(lines[last - 3].rfind("shard 1  done: ", 0), 0u) << lines[last - 3];
  EXPECT_EQ(lines[last - 2].rfind("shard 2  done: ", 0), 0u) << lines[last - 2];
  EXPECT_EQ(lines[last - 1].rfind("[100%] 20 of 20 tests: 20 passed", 0), 0u) << lines[last - 1];
  EXPECT_EQ(lines[last].rfind("=", 0), 0u) << lines[last];
  EXPECT_NE(lines[last].find(" 20 passed in "), std::string::npos) << lines[last];
  // Every earlier frame was drawn over: no stale block lines stay in the scrollback.
  int overall_lines = 0;
  for (const auto& line : lines) {
    overall_lines += line.find(" of 20 tests: ") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(overall_lines, 1) << run.output;
}

TEST(LiveProgressTest, CtrlCReplacesTheBlockWithTheInterruptedSummary)
{
  // Tests without services that take long enough to be interrupted while the block is up.
  testing::ScratchProject project;
  project.write("suites/slow.yaml", "paths: [suites/slow]\n");
  project.write("suites/slow/test_slow.py",
                "import time\n\n\ndef test_a():\n    time.sleep(60)\n\n\n"
                "def test_b():\n    time.sleep(60)\n");
  const auto run = run_orchestrate_in_pty(
    {"-C", project.root().string(), "--suite", "slow", "--parallel", "2"},
    {{"TERM", "xterm"}, {"NO_COLOR", "1"}}, "running | suites/slow");

  // Before: the block's last frame stayed, with the `^C` echoed below it, and no line said the
  // run was interrupted.
  EXPECT_EQ(run.exit_code, 2) << run.output;
  testing::TerminalScreen screen;
  screen.write(run.output);
  const auto lines = screen.lines();
  ASSERT_GE(lines.size(), 2u) << run.output;
  for (const auto& line : lines) {
    EXPECT_EQ(line.rfind("shard ", 0), std::string::npos) << "a block line stayed: " << line;
    EXPECT_EQ(line.find("^C"), std::string::npos) << line;
  }
  const auto last = lines.size() - 1;
  EXPECT_EQ(lines[last - 1].rfind("!", 0), 0u) << lines[last - 1];
  EXPECT_NE(lines[last - 1].find(" Interrupted: SIGINT; 2 tests not run "), std::string::npos)
    << lines[last - 1];
  EXPECT_EQ(lines[last].rfind("=", 0), 0u) << lines[last];
  EXPECT_NE(lines[last].find("2 not run"), std::string::npos) << lines[last];
}

TEST(LiveProgressTest, WithoutATerminalTheOutputHasNoEscapeSequences)
{
  // run_orchestrate captures through a pipe; TERM does not make it a terminal.
  const auto run = run_orchestrate(k_unit_run, k_source_dir, {{"TERM", "xterm"}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(contains(run.output, "\033")) << run.output;
  EXPECT_TRUE(contains(run.output, " PASSED [100%]\n")) << run.output;
  EXPECT_FALSE(contains(run.output, "shard 1  ")) << run.output;
}

TEST(LiveProgressTest, ProgressLinesGivesPlainLinesOnATerminal)
{
  auto arguments = k_unit_run;
  arguments.push_back("--progress=lines");
  const auto run = run_orchestrate_in_pty(arguments, {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(contains(run.output, "\033")) << run.output;
  EXPECT_TRUE(contains(run.output, " PASSED [100%]\r\n")) << run.output;
}

TEST(LiveProgressTest, ADumbTerminalGetsPlainLines)
{
  const auto run = run_orchestrate_in_pty(k_unit_run, {{"TERM", "dumb"}, {"NO_COLOR", "1"}});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_FALSE(contains(run.output, "\033")) << run.output;
  EXPECT_TRUE(contains(run.output, " PASSED [100%]\r\n")) << run.output;
}

TEST(LiveProgressTest, AnUnknownProgressStyleIsAUsageError)
{
  const auto run = run_orchestrate({"--suite", "unit", "--progress", "fancy"});
  EXPECT_EQ(run.exit_code, 4) << run.output;
  EXPECT_TRUE(contains(run.output, "--progress")) << run.output;
}

}  // namespace
}  // namespace orchestrate
