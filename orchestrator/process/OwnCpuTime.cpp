#include "process/OwnCpuTime.hpp"

#include <sys/resource.h>

namespace orchestrate {

namespace {

Milliseconds to_milliseconds(const timeval& time)
{
  return Milliseconds{static_cast<long long>(time.tv_sec) * 1000 + time.tv_usec / 1000};
}

}  // namespace

Milliseconds own_cpu_time()
{
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) {
    return Milliseconds{0};
  }
  return to_milliseconds(usage.ru_utime) + to_milliseconds(usage.ru_stime);
}

}  // namespace orchestrate
