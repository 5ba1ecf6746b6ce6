#include "run/PrewarmedShardFactory.hpp"

#include "core/Error.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

namespace orchestrate {
namespace {

// Records which shards were opened and which sessions were destroyed (torn down).
class RecordingFactory : public ShardSessionFactory
{
public:
  class Session : public ShardSession
  {
  public:
    Session(RecordingFactory& factory, int shard) : m_factory(factory), m_shard(shard)
    {
    }
    ~Session() override
    {
      std::lock_guard lock(m_factory.m_mutex);
      m_factory.m_destroyed.insert(m_shard);
    }
    std::vector<TestResult> run_batch(const TestBatch&) override
    {
      return {};
    }
    int shard() const
    {
      return m_shard;
    }

  private:
    RecordingFactory& m_factory;
    int m_shard;
  };

  std::unique_ptr<ShardSession> open(int shard) override
  {
    {
      std::lock_guard lock(m_mutex);
      m_opened.push_back(shard);
    }
    if (shard == m_failing_shard) {
      throw InternalError("shard " + std::to_string(shard) + " cannot come up");
    }
    return std::make_unique<Session>(*this, shard);
  }

  std::vector<int> opened()
  {
    std::lock_guard lock(m_mutex);
    return m_opened;
  }
  std::set<int> destroyed()
  {
    std::lock_guard lock(m_mutex);
    return m_destroyed;
  }

  int m_failing_shard = 0;

private:
  std::mutex m_mutex;
  std::vector<int> m_opened;
  std::set<int> m_destroyed;
};

int shard_of(const std::unique_ptr<ShardSession>& session)
{
  return dynamic_cast<RecordingFactory::Session&>(*session).shard();
}

TEST(PrewarmedShardFactoryTest, HandsOutTheEarlySessionInsteadOfOpeningAgain)
{
  RecordingFactory inner;
  PrewarmedShardFactory factory(inner, 1);
  const auto session = factory.open(1);
  EXPECT_EQ(shard_of(session), 1);
  EXPECT_EQ(inner.opened(), std::vector<int>{1});
}

TEST(PrewarmedShardFactoryTest, OpensOtherShardsWhenAsked)
{
  RecordingFactory inner;
  PrewarmedShardFactory factory(inner, 1);
  const auto first = factory.open(1);
  const auto second = factory.open(2);
  EXPECT_EQ(shard_of(second), 2);
  EXPECT_EQ(inner.opened(), (std::vector<int>{1, 2}));
}

TEST(PrewarmedShardFactoryTest, TearsDownEarlySessionsNobodyAskedFor)
{
  RecordingFactory inner;
  {
    PrewarmedShardFactory factory(inner, 2);
    const auto first = factory.open(1);
    EXPECT_TRUE(inner.destroyed().empty());
  }
  // Shard 2 was opened early, never asked for, and torn down with the factory; shard 1 was
  // handed out and destroyed by its owner.
  EXPECT_EQ(inner.destroyed(), (std::set<int>{1, 2}));
  EXPECT_EQ(inner.opened().size(), 2u);
}

TEST(PrewarmedShardFactoryTest, AnEarlyOpeningThatFailedThrowsWhenTheShardIsAskedFor)
{
  RecordingFactory inner;
  inner.m_failing_shard = 1;
  PrewarmedShardFactory factory(inner, 1);
  EXPECT_THROW(factory.open(1), InternalError);
}

TEST(PrewarmedShardFactoryTest, AnEarlyOpeningThatFailedAndWasNeverAskedForDoesNotThrowOnDestruction)
{
  RecordingFactory inner;
  inner.m_failing_shard = 1;
  EXPECT_NO_THROW({ PrewarmedShardFactory factory(inner, 1); });
  EXPECT_EQ(inner.opened(), std::vector<int>{1});
}

}  // namespace
}  // namespace orchestrate
