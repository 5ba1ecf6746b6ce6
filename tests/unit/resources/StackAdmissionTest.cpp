#include "core/Error.hpp"
#include "process/SignalState.hpp"
#include "resources/StackAdmission.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace orchestrate {
namespace {

using std::chrono::milliseconds;

constexpr std::uint64_t k_mib = 1024 * 1024;
constexpr std::uint64_t k_gib = 1024 * k_mib;

// A MemoryPressure whose answer the test sets.
class FakePressure : public MemoryPressure
{
public:
  bool below_floor() const override
  {
    return m_below;
  }

  std::optional<std::uint64_t> available_bytes() const override
  {
    return 300 * k_mib;
  }

  std::uint64_t floor_bytes() const override
  {
    return 512 * k_mib;
  }

  std::atomic<bool> m_below{false};
};

ResolvedService service(const std::string& name, std::uint64_t memory_limit)
{
  ResolvedService result;
  result.name = name;
  result.memory_limit_bytes = memory_limit;
  return result;
}

// Whether `future` becomes ready within `timeout`.
template <typename T>
bool ready_within(std::future<T>& future, milliseconds timeout)
{
  return future.wait_for(timeout) == std::future_status::ready;
}

class StackAdmissionTest : public testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();
  }
};

TEST_F(StackAdmissionTest, MaxConcurrentStacksIsTheSmallerOfParallelAndWhatTheBudgetHolds)
{
  EXPECT_EQ(StackAdmission(4 * k_gib, 384 * k_mib, 10).max_concurrent_stacks(), 10);
  EXPECT_EQ(StackAdmission(4 * k_gib, 600 * k_mib, 10).max_concurrent_stacks(), 6);
  EXPECT_EQ(StackAdmission(4 * k_gib, 4 * k_gib, 10).max_concurrent_stacks(), 1);
  EXPECT_EQ(StackAdmission(4 * k_gib, 384 * k_mib, 3).max_concurrent_stacks(), 3);
  // Unknown cost (no memory limits): only --parallel limits.
  EXPECT_EQ(StackAdmission(1 * k_gib, 0, 5).max_concurrent_stacks(), 5);
}

TEST_F(StackAdmissionTest, CappedMessageGivesTheNumbersOnce)
{
  StackAdmission admission(4 * k_gib, 600 * k_mib, 10);
  EXPECT_EQ(admission.capped_message(),
            "memory budget 4.0 GiB allows 6 of --parallel 10 stacks (each up to 600 MiB); the "
            "other shards queue");
  EXPECT_EQ(admission.capped_message(), "");
}

TEST_F(StackAdmissionTest, NoCappedMessageWhenTheBudgetHoldsEveryParallelStack)
{
  StackAdmission admission(4 * k_gib, 384 * k_mib, 10);
  EXPECT_EQ(admission.capped_message(), "");
}

TEST_F(StackAdmissionTest, StackLargerThanTheBudgetIsAUsageErrorNamingServicesAndLimits)
{
  ComposeModel stack;
  stack.services = {service("postgres", 3 * k_gib), service("redis", 2 * k_gib)};
  try {
    StackAdmission admission(stack, 4 * k_gib, 2);
    FAIL() << "expected a UsageError";
  } catch (const UsageError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("postgres 3.0 GiB"), std::string::npos) << message;
    EXPECT_NE(message.find("redis 2.0 GiB"), std::string::npos) << message;
    EXPECT_NE(message.find("5.0 GiB"), std::string::npos) << message;
    EXPECT_NE(message.find("memory budget of 4.0 GiB"), std::string::npos) << message;
    EXPECT_NE(message.find("--memory-budget"), std::string::npos) << message;
    EXPECT_EQ(error.exit_code(), ExitCode::k_usage_error);
  }
}

TEST_F(StackAdmissionTest, ComposeModelCostIsTheSumOfItsServicesLimits)
{
  ComposeModel stack;
  stack.services = {service("postgres", 256 * k_mib), service("redis", 128 * k_mib)};
  StackAdmission admission(stack, 1 * k_gib, 10);
  EXPECT_EQ(admission.stack_cost_bytes(), 384 * k_mib);
  EXPECT_EQ(admission.max_concurrent_stacks(), 2);
}

TEST_F(StackAdmissionTest, ParallelBelowOneIsAUsageError)
{
  EXPECT_THROW(StackAdmission(4 * k_gib, 384 * k_mib, 0), UsageError);
}

TEST_F(StackAdmissionTest, NeverExceedsTheBudgetUnderManyThreads)
{
  constexpr std::uint64_t k_budget = 1000;
  constexpr std::uint64_t k_cost = 300;
  StackAdmission admission(k_budget, k_cost, 8);
  ASSERT_EQ(admission.max_concurrent_stacks(), 3);

  std::atomic<std::uint64_t> in_use{0};
  std::atomic<std::uint64_t> max_in_use{0};
  std::atomic<int> finished{0};
  std::vector<std::thread> shards;
  for (int shard = 0; shard < 24; ++shard) {
    shards.emplace_back([&] {
      AdmissionTicket ticket = admission.admit();
      const std::uint64_t now = in_use += k_cost;
      std::uint64_t seen = max_in_use;
      while (now > seen && !max_in_use.compare_exchange_weak(seen, now)) {
      }
      std::this_thread::sleep_for(milliseconds(5));
      in_use -= k_cost;
      ++finished;
    });
  }
  for (std::thread& shard : shards) {
    shard.join();
  }
  EXPECT_EQ(finished, 24);
  EXPECT_LE(max_in_use, k_budget);
  // It did run stacks side by side, not one at a time.
  EXPECT_GE(max_in_use, 2 * k_cost);
  EXPECT_EQ(admission.running_stacks(), 0);
  EXPECT_EQ(admission.bytes_in_use(), 0u);
}

TEST_F(StackAdmissionTest, QueuedAdmissionsAllEventuallyRun)
{
  StackAdmission admission(100, 100, 4);
  std::atomic<int> ran{0};
  std::vector<std::future<void>> shards;
  for (int shard = 0; shard < 10; ++shard) {
    shards.push_back(std::async(std::launch::async, [&] {
      AdmissionTicket ticket = admission.admit();
      std::this_thread::sleep_for(milliseconds(2));
      ++ran;
    }));
  }
  for (auto& shard : shards) {
    ASSERT_TRUE(ready_within(shard, milliseconds(10'000)));
    shard.get();
  }
  EXPECT_EQ(ran, 10);
}

TEST_F(StackAdmissionTest, AdmitWaitsUntilATicketIsReleased)
{
  StackAdmission admission(100, 60, 4);
  AdmissionTicket first = admission.admit();
  EXPECT_EQ(admission.bytes_in_use(), 60u);
  EXPECT_FALSE(admission.try_admit_for(milliseconds(200)));

  auto second = std::async(std::launch::async, [&] { return admission.admit(); });
  EXPECT_FALSE(ready_within(second, milliseconds(300)));
  first.release();
  ASSERT_TRUE(ready_within(second, milliseconds(1000)));
  AdmissionTicket ticket = second.get();
  EXPECT_TRUE(ticket.holds());
  EXPECT_FALSE(first.holds());
  EXPECT_EQ(admission.running_stacks(), 1);
}

TEST_F(StackAdmissionTest, MovedTicketReleasesOnceWhenTheLastOwnerGoes)
{
  StackAdmission admission(100, 50, 4);
  {
    AdmissionTicket outer;
    {
      AdmissionTicket inner = admission.admit();
      outer = std::move(inner);
      EXPECT_FALSE(inner.holds());
    }
    EXPECT_EQ(admission.running_stacks(), 1);
    outer.release();
    outer.release();
    EXPECT_EQ(admission.running_stacks(), 0);
  }
  EXPECT_EQ(admission.running_stacks(), 0);
}

TEST_F(StackAdmissionTest, PressureFloorHoldsBackAFurtherStackThenReleasesIt)
{
  StackAdmission admission(1000, 100, 4);
  FakePressure pressure;
  std::mutex messages_mutex;
  std::vector<std::string> messages;
  admission.watch_pressure(pressure, [&](const std::string& message) {
    std::lock_guard lock(messages_mutex);
    messages.push_back(message);
  });

  AdmissionTicket first = admission.admit();
  pressure.m_below = true;
  auto second = std::async(std::launch::async, [&] { return admission.admit(); });
  auto third = std::async(std::launch::async, [&] { return admission.admit(); });
  EXPECT_FALSE(ready_within(second, milliseconds(400)));
  EXPECT_FALSE(ready_within(third, milliseconds(0)));
  {
    std::lock_guard lock(messages_mutex);
    ASSERT_EQ(messages.size(), 1u);
    EXPECT_NE(messages[0].find("MemAvailable 300 MiB is below the floor of 512 MiB"),
              std::string::npos)
      << messages[0];
  }

  pressure.m_below = false;
  ASSERT_TRUE(ready_within(second, milliseconds(1000)));
  ASSERT_TRUE(ready_within(third, milliseconds(1000)));
  AdmissionTicket second_ticket = second.get();
  AdmissionTicket third_ticket = third.get();
  EXPECT_EQ(admission.running_stacks(), 3);
  std::lock_guard lock(messages_mutex);
  EXPECT_EQ(messages.size(), 1u);
}

TEST_F(StackAdmissionTest, FirstStackIsAdmittedEvenUnderPressureSoTheRunProgresses)
{
  StackAdmission admission(1000, 100, 4);
  FakePressure pressure;
  pressure.m_below = true;
  admission.watch_pressure(pressure, {});
  auto first = admission.try_admit_for(milliseconds(100));
  ASSERT_TRUE(first);
  EXPECT_FALSE(admission.try_admit_for(milliseconds(200)));
}

TEST_F(StackAdmissionTest, InterruptWhileWaitingThrowsAnInterruptedError)
{
  StackAdmission admission(100, 100, 4);
  AdmissionTicket held = admission.admit();
  auto waiting = std::async(std::launch::async, [&] { return admission.admit(); });
  EXPECT_FALSE(ready_within(waiting, milliseconds(200)));

  simulate_interrupts(1, SIGINT);
  ASSERT_TRUE(ready_within(waiting, milliseconds(500)));
  try {
    waiting.get();
    FAIL() << "expected an interrupted Error";
  } catch (const Error& error) {
    EXPECT_EQ(error.exit_code(), ExitCode::k_interrupted);
  }
  // After an interrupt no stack starts, even with room.
  held.release();
  EXPECT_THROW(admission.admit(), Error);
  EXPECT_EQ(admission.running_stacks(), 0);
}

}  // namespace
}  // namespace orchestrate
