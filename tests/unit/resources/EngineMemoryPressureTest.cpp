#include "resources/EngineMemoryPressure.hpp"
#include "resources/StackAdmission.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace orchestrate {
namespace {

constexpr std::uint64_t k_mib = 1ull << 20;

TEST(EngineMemoryPressureTest, MemoryLeftIsTheTotalMinusTheContainersUse)
{
  EXPECT_EQ(memory_left({8192 * k_mib, 1000 * k_mib}), 7192 * k_mib);
  // Containers that use it all (or more, counting shared pages twice) leave nothing.
  EXPECT_EQ(memory_left({1000 * k_mib, 1000 * k_mib}), 0u);
  EXPECT_EQ(memory_left({1000 * k_mib, 1200 * k_mib}), 0u);
  // An engine that does not report its total: unknown.
  EXPECT_EQ(memory_left({0, 100 * k_mib}), std::nullopt);
}

TEST(EngineMemoryPressureTest, BelowTheFloorOnlyOnceASampleShowsLessLeftThanTheFloor)
{
  EngineMemorySample next{4096 * k_mib, 3000 * k_mib};
  EngineMemoryPressure pressure([&] { return next; }, "tls", 512 * k_mib, Milliseconds(0));
  // Nothing read yet: unknown, holds nothing back.
  EXPECT_FALSE(pressure.below_floor());
  EXPECT_EQ(pressure.available_bytes(), std::nullopt);

  pressure.sample();
  EXPECT_FALSE(pressure.below_floor());  // 1096 MiB left
  EXPECT_EQ(pressure.available_bytes(), 1096 * k_mib);

  next.containers_bytes = 3700 * k_mib;  // 396 MiB left
  pressure.sample();
  EXPECT_TRUE(pressure.below_floor());
  EXPECT_EQ(pressure.floor_bytes(), 512 * k_mib);
}

TEST(EngineMemoryPressureTest, EngineThatFailsToAnswerHoldsNothingBack)
{
  bool fail = false;
  EngineMemoryPressure pressure(
    [&] {
      if (fail) {
        throw std::runtime_error("engine tls does not answer");
      }
      return EngineMemorySample{1024 * k_mib, 1000 * k_mib};
    },
    "tls", 512 * k_mib, Milliseconds(0));
  pressure.sample();
  ASSERT_TRUE(pressure.below_floor());
  fail = true;
  pressure.sample();
  EXPECT_FALSE(pressure.below_floor());
  EXPECT_EQ(pressure.available_bytes(), std::nullopt);
}

TEST(EngineMemoryPressureTest, AdmissionHoldsASecondStackBackSayingWhichEngine)
{
  EngineMemoryPressure pressure([] { return EngineMemorySample{1024 * k_mib, 900 * k_mib}; },
                                "build-2", 256 * k_mib, Milliseconds(0));
  pressure.sample();
  StackAdmission admission(4096 * k_mib, 100 * k_mib, 4);
  std::vector<std::string> messages;
  admission.watch_pressure(pressure,
                           [&](const std::string& line) { messages.push_back(line); });
  auto first = admission.try_admit_for(Milliseconds(0));
  ASSERT_TRUE(first);  // the first stack on an engine never waits
  EXPECT_FALSE(admission.try_admit_for(Milliseconds(0)));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0],
            "memory pressure: engine build-2's memory left (MemTotal minus its containers' use) "
            "124 MiB is below the floor of 256 MiB; further stacks wait until running ones end "
            "or memory frees up");
}

TEST(EngineMemoryPressureTest, SamplesOnItsOwnThreadAtTheInterval)
{
  std::atomic<int> reads{0};
  {
    EngineMemoryPressure pressure(
      [&] {
        ++reads;
        return EngineMemorySample{1024 * k_mib, 0};
      },
      "tls", 256 * k_mib, Milliseconds(10));
    for (int i = 0; i < 200 && reads.load() < 3; ++i) {
      std::this_thread::sleep_for(Milliseconds(10));
    }
  }
  EXPECT_GE(reads.load(), 3);
}

// Reproduced first: ScaleOutTest.MemoryFloorHoldsBackASecondStackOnEachExtraEngine let a second
// stack onto the tls engine when its first sample (over TLS) came after the admission's check.
TEST(EngineMemoryPressureTest, FirstCheckWaitsForTheFirstSampleInsteadOfHoldingNothingBack)
{
  EngineMemoryPressure pressure(
    [] {
      std::this_thread::sleep_for(Milliseconds(200));  // a slow engine
      return EngineMemorySample{1024 * k_mib, 900 * k_mib};
    },
    "tls", 256 * k_mib, Milliseconds(60'000));
  EXPECT_TRUE(pressure.below_floor());
  EXPECT_EQ(pressure.available_bytes(), std::optional<std::uint64_t>(124 * k_mib));
}

}  // namespace
}  // namespace orchestrate
