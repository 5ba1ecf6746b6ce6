#include "process/ProcStat.hpp"

#include "core/FileText.hpp"

#include <signal.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>

namespace orchestrate {

namespace {

// Parses one whitespace-separated decimal field; false if it is not a number.
template <typename Number>
bool parse_number(const std::string& text, Number& value)
{
  const char* end = text.data() + text.size();
  auto [position, error] = std::from_chars(text.data(), end, value);
  return error == std::errc() && position == end;
}

}  // namespace

std::optional<ProcStat> read_proc_stat(int pid)
{
  if (pid <= 0) {
    return std::nullopt;
  }
  // A process that exits between open and read makes read() fail with ESRCH: it is gone.
  const std::optional<std::string> text = read_file_text("/proc/" + std::to_string(pid) + "/stat");
  if (!text) {
    return std::nullopt;
  }
  const std::string line = text->substr(0, text->find('\n'));
  // Field 2 is the command name in parentheses, which may itself contain spaces and ')': the
  // fields we want start after the last ')'.
  auto name_end = line.rfind(')');
  if (name_end == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream rest(line.substr(name_end + 1));
  std::vector<std::string> fields{std::istream_iterator<std::string>(rest),
                                  std::istream_iterator<std::string>()};
  // fields[0] is field 3 of proc(5), so field N is fields[N - 3].
  constexpr std::size_t k_start_time_index = 22 - 3;
  if (fields.size() <= k_start_time_index || fields[0].size() != 1) {
    return std::nullopt;
  }
  ProcStat stat;
  stat.state = fields[0][0];
  if (!parse_number(fields[4 - 3], stat.parent_pid)
      || !parse_number(fields[5 - 3], stat.process_group)
      || !parse_number(fields[k_start_time_index], stat.start_ticks)) {
    return std::nullopt;
  }
  return stat;
}

bool process_is_running(int pid)
{
  auto stat = read_proc_stat(pid);
  return stat && stat->is_running();
}

std::vector<int> running_group_members(int pgid)
{
  std::vector<int> members;
  // kill(-pgid, 0) also succeeds while only zombies are left (an init that does not reap leaves
  // them forever), so a success still needs the scan; ESRCH means the group is gone for sure.
  if (pgid <= 0 || (::kill(-pgid, 0) != 0 && errno == ESRCH)) {
    return members;
  }
  std::error_code error;
  std::filesystem::directory_iterator entry("/proc", error);
  for (; !error && entry != std::filesystem::directory_iterator(); entry.increment(error)) {
    int pid = 0;
    if (!parse_number(entry->path().filename().string(), pid)) {
      continue;
    }
    auto stat = read_proc_stat(pid);
    if (stat && stat->process_group == pgid && stat->is_running()) {
      members.push_back(pid);
    }
  }
  return members;
}

}  // namespace orchestrate
