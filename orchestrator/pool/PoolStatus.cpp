#include "pool/PoolStatus.hpp"

#include "cleanup/StaleVerdict.hpp"

#include <algorithm>
#include <array>

namespace orchestrate {

namespace {

constexpr std::size_t k_columns = 7;
using Row = std::array<std::string, k_columns>;

Milliseconds seconds_between(long long from, long long to)
{
  return Milliseconds((to - from) * 1000);
}

Row row_of(const PoolStack& stack, long long now)
{
  Row row{stack.stack, "-", "-", "-", "-", stack.worker.empty() ? "-" : stack.worker,
          stack.claimed_by.empty() ? "-" : stack.claimed_by};
  if (stack.record) {
    row[1] = stack.record->key.digest;
    row[2] = format_age(seconds_between(stack.record->created, now));
    row[3] = stack.record->deadline > now
               ? "in " + format_age(seconds_between(now, stack.record->deadline))
               : "passed " + format_age(seconds_between(stack.record->deadline, now)) + " ago";
    row[4] = stack.record->clean ? "yes" : "no";
  }
  return row;
}

}  // namespace

std::string format_pool_status(const std::vector<PoolStack>& stacks, const std::string& environment,
                               std::chrono::system_clock::time_point now)
{
  if (stacks.empty()) {
    return "no warm stacks in the " + environment + " pool\n";
  }
  const long long seconds =
    std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  std::vector<Row> rows{{"STACK", "KEY", "AGE", "DEADLINE", "CLEAN", "WORKER", "CLAIMED BY"}};
  for (const auto& stack : stacks) {
    rows.push_back(row_of(stack, seconds));
  }
  std::array<std::size_t, k_columns> widths{};
  for (const auto& row : rows) {
    for (std::size_t column = 0; column < k_columns; ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t column = 0; column < k_columns; ++column) {
      line += row[column];
      if (column + 1 < k_columns) {
        line += std::string(widths[column] - row[column].size() + 2, ' ');
      }
    }
    text += line + "\n";
  }
  return text;
}

}  // namespace orchestrate
