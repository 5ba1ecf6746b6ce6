#include "run/StartSlots.hpp"

#include "process/SignalState.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace orchestrate {
namespace {

using namespace std::chrono_literals;

// A clock the test moves by hand: how long a slot was held is what it says.
class FakeClock
{
public:
  StartSlots::Clock::time_point now() const
  {
    return StartSlots::Clock::time_point(std::chrono::milliseconds(m_ms.load()));
  }
  void advance(Milliseconds by)
  {
    m_ms += by.count();
  }
  std::function<StartSlots::Clock::time_point()> function()
  {
    return [this] { return now(); };
  }

private:
  std::atomic<long long> m_ms{1'000'000};
};

class StartSlotsTest : public ::testing::Test
{
protected:
  void TearDown() override
  {
    reset_interrupts();  // interrupts and stop requests are process-wide
  }

  // Waits (bounded) until `count` shards wait in `slots`.
  static void wait_until_waiting(const StartSlots& slots, int count)
  {
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (slots.waiting() < count && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(slots.waiting(), count);
  }

  FakeClock m_clock;
};

TEST_F(StartSlotsTest, UnlimitedSlotsNeverMakeAShardWait)
{
  StartSlots slots(0, "local", m_clock.function(), 0ms);
  std::vector<StartSlot> held;
  for (int shard = 1; shard <= 6; ++shard) {
    auto slot = slots.try_acquire_for(shard, 0ms);
    ASSERT_TRUE(slot.has_value()) << "shard " << shard;
    held.push_back(std::move(*slot));
  }
  EXPECT_EQ(slots.active_holds(), 0);
}

TEST_F(StartSlotsTest, ShardsBeyondTheSlotsWaitUntilOneIsReleased)
{
  StartSlots slots(2, "local", m_clock.function(), 0ms);
  auto first = slots.acquire(2);
  auto second = slots.acquire(3);
  EXPECT_EQ(slots.active_holds(), 2);
  EXPECT_FALSE(slots.try_acquire_for(4, 50ms).has_value());

  first.release();
  auto third = slots.try_acquire_for(4, 0ms);
  ASSERT_TRUE(third.has_value());
  EXPECT_TRUE(third->holds());
  EXPECT_FALSE(first.holds());
}

TEST_F(StartSlotsTest, ShardOneStartsAlsoWhenEverySlotIsHeld)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  auto other = slots.acquire(2);
  const auto shard_one = slots.try_acquire_for(1, 0ms);
  ASSERT_TRUE(shard_one.has_value());
  EXPECT_TRUE(shard_one->holds());
  EXPECT_EQ(slots.active_holds(), 2);
}

TEST_F(StartSlotsTest, ShardOneGoesAheadOfShardsWaitingBeforeIt)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  std::future<StartSlot> waiting;  // destroyed after the slots it waits behind
  auto held = slots.acquire(3);
  waiting = std::async(std::launch::async, [&] { return slots.acquire(2); });
  wait_until_waiting(slots, 1);
  // Shard 2 asked first and still waits; shard 1 does not wait behind it.
  auto shard_one = slots.try_acquire_for(1, 0ms);
  ASSERT_TRUE(shard_one.has_value());
  EXPECT_EQ(slots.waiting(), 1);
  held.release();
  shard_one.reset();
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(waiting.get().holds());
}

TEST_F(StartSlotsTest, WaitingShardsStartInShardOrderWhateverOrderTheyAsked)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  auto held = slots.acquire(2);
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::thread> threads;
  int asked = 0;
  for (const int shard : {5, 3, 4}) {
    threads.emplace_back([&, shard] {
      const auto slot = slots.acquire(shard);
      const std::lock_guard lock(mutex);
      order.push_back(shard);  // recorded before the slot is released to the next shard
    });
    wait_until_waiting(slots, ++asked);
  }
  held.release();
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(order, (std::vector<int>{3, 4, 5}));
}

TEST_F(StartSlotsTest, AtTheStartAShardWaitsForLowerShardsToAskFirst)
{
  // Two slots; shards 3 and 2 ask before shard 1 (their threads happened to run first). Taking
  // both slots would start three stacks at once when shard 1 asks.
  StartSlots slots(2, "local", m_clock.function());
  std::future<StartSlot> two;
  std::future<StartSlot> three;  // destroyed before the slots they wait on: declared after them
  three = std::async(std::launch::async, [&] { return slots.acquire(3); });
  wait_until_waiting(slots, 1);
  two = std::async(std::launch::async, [&] { return slots.acquire(2); });
  wait_until_waiting(slots, 2);
  EXPECT_EQ(two.wait_for(300ms), std::future_status::timeout) << "shard 2 went before shard 1";
  EXPECT_EQ(slots.active_holds(), 0);

  auto one = slots.try_acquire_for(1, 0ms);
  ASSERT_TRUE(one.has_value());
  ASSERT_EQ(two.wait_for(10s), std::future_status::ready);
  auto second = two.get();
  EXPECT_TRUE(second.holds());
  EXPECT_EQ(three.wait_for(300ms), std::future_status::timeout) << "a third stack started";
  EXPECT_EQ(slots.active_holds(), 2);
  one->release();
  ASSERT_EQ(three.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(three.get().holds());
}

TEST_F(StartSlotsTest, ALowerShardThatNeverAsksDelaysTheOthersOnlyForTheOrderWindow)
{
  StartSlots slots(2, "local", m_clock.function());
  EXPECT_FALSE(slots.try_acquire_for(2, 200ms).has_value()) << "shard 1 may still ask";
  m_clock.advance(StartSlots::k_order_window);
  const auto two = slots.try_acquire_for(2, 0ms);
  ASSERT_TRUE(two.has_value());
  EXPECT_TRUE(two->holds());
}

TEST_F(StartSlotsTest, AHoldPastItsBoundNoLongerKeepsTheNextShardWaiting)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  auto stuck = slots.acquire(2);  // a stack stuck in its readiness wait
  m_clock.advance(StartSlots::k_initial_hold_bound - 1ms);
  EXPECT_FALSE(slots.try_acquire_for(3, 50ms).has_value());

  m_clock.advance(1ms);
  EXPECT_EQ(slots.active_holds(), 0);
  const auto next = slots.try_acquire_for(3, 5s);
  ASSERT_TRUE(next.has_value());
  EXPECT_TRUE(stuck.holds());  // still its owner's until it ends; it only counts no more
}

TEST_F(StartSlotsTest, AShardWaitingWhenAHoldPassesItsBoundIsWokenByThePoll)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  std::future<StartSlot> waiting;  // destroyed after the slots it waits behind
  auto stuck = slots.acquire(2);
  waiting = std::async(std::launch::async, [&] { return slots.acquire(3); });
  wait_until_waiting(slots, 1);
  m_clock.advance(StartSlots::k_initial_hold_bound);
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  EXPECT_TRUE(waiting.get().holds());
}

TEST_F(StartSlotsTest, TheHoldBoundIsTwiceTheMedianTimeToReadyOnceAStackWasReady)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  EXPECT_EQ(slots.hold_bound(), StartSlots::k_initial_hold_bound);
  const auto ready_after = [&](Milliseconds time) {
    auto slot = slots.acquire(2);
    m_clock.advance(time);
  };
  ready_after(3s);
  EXPECT_EQ(slots.hold_bound(), 6s);
  ready_after(1s);
  ready_after(2s);
  EXPECT_EQ(slots.hold_bound(), 4s);  // the median of 1, 2 and 3 s, twice
}

TEST_F(StartSlotsTest, TheHoldBoundIsNeverBelowItsMinimum)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  {
    auto slot = slots.acquire(2);
    m_clock.advance(300ms);
  }
  EXPECT_EQ(slots.hold_bound(), StartSlots::k_min_hold_bound);
}

TEST_F(StartSlotsTest, ASlotEndedByAnExceptionIsNoTimeToReady)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  try {
    auto slot = slots.acquire(2);
    m_clock.advance(40s);
    throw std::runtime_error("the readiness gate timed out");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slots.hold_bound(), StartSlots::k_initial_hold_bound);
  EXPECT_EQ(slots.active_holds(), 0);
}

TEST_F(StartSlotsTest, AnInterruptWakesAWaitingShard)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  std::future<StartSlot> waiting;  // destroyed after the slots it waits behind
  auto held = slots.acquire(2);
  waiting = std::async(std::launch::async, [&] { return slots.acquire(3); });
  wait_until_waiting(slots, 1);
  simulate_interrupts(1, SIGINT);
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  EXPECT_THROW(waiting.get(), InterruptedError);
  EXPECT_EQ(slots.waiting(), 0);
}

TEST_F(StartSlotsTest, AStopRequestWakesAWaitingShard)
{
  StartSlots slots(1, "local", m_clock.function(), 0ms);
  std::future<StartSlot> waiting;  // destroyed after the slots it waits behind
  auto held = slots.acquire(2);
  waiting = std::async(std::launch::async, [&] { return slots.acquire(3); });
  wait_until_waiting(slots, 1);
  request_stop();  // -x / --maxfail
  ASSERT_EQ(waiting.wait_for(10s), std::future_status::ready);
  EXPECT_THROW(waiting.get(), InterruptedError);
}

TEST_F(StartSlotsTest, NoShardTakesASlotAfterAStop)
{
  StartSlots slots(2, "local", m_clock.function(), 0ms);
  request_stop();
  EXPECT_THROW(slots.acquire(1), InterruptedError);
  EXPECT_EQ(slots.active_holds(), 0);
}

TEST_F(StartSlotsTest, NegativeSlotsAreRefused)
{
  EXPECT_THROW(StartSlots(-1), InternalError);
}

}  // namespace
}  // namespace orchestrate
