#include "locking/OwnerIdentity.hpp"

#include "core/Error.hpp"
#include "process/ProcStat.hpp"

#include <unistd.h>

#include <charconv>
#include <climits>

namespace orchestrate {

namespace {

template <typename Number>
bool parse_number(std::string_view text, Number& value)
{
  const char* end = text.data() + text.size();
  auto [position, error] = std::from_chars(text.data(), end, value);
  return !text.empty() && error == std::errc() && position == end;
}

}  // namespace

std::string current_host()
{
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') {
    return "unknown-host";
  }
  return name;
}

OwnerIdentity current_owner()
{
  OwnerIdentity owner;
  owner.host = current_host();
  owner.pid = static_cast<int>(::getpid());
  auto stat = read_proc_stat(owner.pid);
  if (!stat) {
    throw InternalError("cannot read /proc/self/stat: our start time is needed to label what we "
                        "create");
  }
  owner.start_ticks = stat->start_ticks;
  return owner;
}

std::string to_label(const OwnerIdentity& owner)
{
  return owner.host + ":" + std::to_string(owner.pid) + ":" + std::to_string(owner.start_ticks);
}

std::optional<OwnerIdentity> owner_from_label(const std::string& label)
{
  // Split at the last two colons: host names cannot contain one, but this keeps any text intact.
  auto ticks_colon = label.rfind(':');
  if (ticks_colon == std::string::npos || ticks_colon == 0) {
    return std::nullopt;
  }
  auto pid_colon = label.rfind(':', ticks_colon - 1);
  if (pid_colon == std::string::npos || pid_colon == 0) {
    return std::nullopt;
  }
  OwnerIdentity owner;
  owner.host = label.substr(0, pid_colon);
  std::string_view view(label);
  if (!parse_number(view.substr(pid_colon + 1, ticks_colon - pid_colon - 1), owner.pid)
      || owner.pid <= 0 || !parse_number(view.substr(ticks_colon + 1), owner.start_ticks)) {
    return std::nullopt;
  }
  return owner;
}

OwnerState owner_state(const OwnerIdentity& owner)
{
  if (owner.host != current_host()) {
    return OwnerState::k_other_host;
  }
  auto stat = read_proc_stat(owner.pid);
  if (!stat || !stat->is_running() || stat->start_ticks != owner.start_ticks) {
    return OwnerState::k_dead;
  }
  return OwnerState::k_alive;
}

}  // namespace orchestrate
