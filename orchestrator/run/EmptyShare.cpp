#include "run/EmptyShare.hpp"

#include "reporting/JsonReport.hpp"
#include "reporting/JunitXml.hpp"

namespace orchestrate {

std::string empty_share_message(const CiShard& shard, int selected_in_all,
                                const std::string& fingerprint)
{
  return "--shard " + std::to_string(shard.index) + "/" + std::to_string(shard.total) +
         ": no test falls to this share (" + std::to_string(selected_in_all) +
         " selected in all, plan fingerprint " + fingerprint + "); nothing to run";
}

ExitCode write_empty_share_reports(const EmptyShareReports& reports)
{
  if (!reports.junit_xml.empty()) {
    write_junit_xml(reports.junit_xml, {}, reports.elapsed);
  }
  if (!reports.report_json.empty()) {
    RunReport report;
    report.suite = reports.suite;
    report.environment = reports.environment;
    report.exit_code = ExitCode::k_all_passed;
    report.wall_time = reports.elapsed;
    report.counts.deselected = reports.deselected;
    write_json_report(reports.report_json, report);
  }
  return ExitCode::k_all_passed;
}

}  // namespace orchestrate
