#include "reporting/RunRecord.hpp"

#include "RunRecordSamples.hpp"
#include "core/Error.hpp"
#include "support/TempDir.hpp"

#include <gtest/gtest.h>

#include <fstream>

namespace orchestrate {
namespace {

TEST(RunRecordTest, ARunFolderReadsBackAsItWasSaved)
{
  TempDir dir;
  const auto saved = testing::sample_run_record();
  save_run_record(dir.path(), saved);

  const auto loaded = load_run_record(dir.path());

  EXPECT_EQ(loaded.report.run_id, saved.report.run_id);
  EXPECT_EQ(loaded.report.tests.size(), saved.report.tests.size());
  ASSERT_EQ(loaded.timeline.spans.size(), saved.timeline.spans.size());
  for (std::size_t i = 0; i < saved.timeline.spans.size(); ++i) {
    const auto& want = saved.timeline.spans[i];
    const auto& got = loaded.timeline.spans[i];
    EXPECT_EQ(got.shard, want.shard);
    EXPECT_EQ(got.kind, want.kind);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.start, want.start);
    EXPECT_EQ(got.duration, want.duration);
    EXPECT_EQ(got.outcome, want.outcome);
    EXPECT_EQ(got.attempt, want.attempt);
  }
  ASSERT_EQ(loaded.timeline.memory.size(), 2u);
  EXPECT_EQ(loaded.timeline.memory[1].at, Milliseconds(1'250));
  EXPECT_EQ(loaded.timeline.memory[1].bytes_by_shard, saved.timeline.memory[1].bytes_by_shard);
  EXPECT_EQ(loaded.timeline.output, saved.timeline.output);
}

TEST(RunRecordTest, AFolderWithoutAReportIsAUsageErrorThatSaysWhereRunsAre)
{
  TempDir dir;
  try {
    load_run_record(dir.path());
    FAIL() << "expected a UsageError";
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find(".orchestrate/runs/"), std::string::npos)
      << error.what();
  }
}

TEST(RunRecordTest, ADamagedTimelineIsAnErrorNamingTheFile)
{
  TempDir dir;
  save_run_record(dir.path(), testing::sample_run_record());
  std::ofstream(dir.path() / k_run_timeline_file) << R"({"spans": [{"shard": 1}]})";

  try {
    load_run_record(dir.path());
    FAIL() << "expected an InternalError";
  } catch (const InternalError& error) {
    EXPECT_NE(std::string(error.what()).find(k_run_timeline_file), std::string::npos)
      << error.what();
  }
}

}  // namespace
}  // namespace orchestrate
