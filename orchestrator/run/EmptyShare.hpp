#pragma once

#include "core/ExitCode.hpp"
#include "core/Quantities.hpp"
#include "selection/CiShard.hpp"

#include <filesystem>
#include <string>

namespace orchestrate {

// "--shard 4/4: no test falls to this share (3 selected in all, plan fingerprint 0123...); nothing
// to run": the one line a CI machine with an empty share prints.
std::string empty_share_message(const CiShard& shard, int selected_in_all,
                                const std::string& fingerprint);

// What an empty share of a CI matrix leaves (pytest-split#26: such a job must not fail): its
// empty JUnit XML and JSON report where asked, so that `orchestrate merge` of all machines works,
// with `deselected` counting the tests the other machines run. Returns 0. Throws InternalError
// when a report cannot be written.
struct EmptyShareReports
{
  std::string suite;
  std::string environment;
  std::filesystem::path junit_xml;    // empty: none
  std::filesystem::path report_json;  // empty: none
  int deselected = 0;
  Milliseconds elapsed{0};
};
ExitCode write_empty_share_reports(const EmptyShareReports& reports);

}  // namespace orchestrate
