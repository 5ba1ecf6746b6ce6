// Example GoogleTest suite for orchestrate's `gtest` runner: real commands against the shard's
// Redis 7, found through REDIS_URL (set by the redis fixture). Every test works under a key prefix
// of its own (test name, pid, random), and removes its keys, so tests can share one Redis and be
// re-run against it.

#include "RedisConnection.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

namespace orchestrate::examples {
namespace {

std::string text_of(const RedisReply& reply)
{
  if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS ||
      reply->type == REDIS_REPLY_ERROR) {
    return std::string(reply->str, reply->len);
  }
  return "<reply of type " + std::to_string(reply->type) + ">";
}

class RedisTest : public testing::Test
{
protected:
  void SetUp() override
  {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr || *url == '\0') {
      FAIL() << "REDIS_URL is not set: run these tests with `orchestrate --suite gtest-redis`, "
                "which starts Redis and sets it, or export REDIS_URL=redis://HOST:PORT/0";
    }
    m_url = url;
    m_redis = std::make_unique<RedisConnection>(parse_redis_url(m_url));
    const auto* test = testing::UnitTest::GetInstance()->current_test_info();
    std::random_device random;
    m_prefix = "gtest-redis:" + std::string(test->name()) + ":" + std::to_string(::getpid()) +
               ":" + std::to_string(random()) + ":";
  }

  void TearDown() override
  {
    if (m_redis && !m_keys.empty()) {
      std::vector<std::string> del{"DEL"};
      del.insert(del.end(), m_keys.begin(), m_keys.end());
      m_redis->command(del);
    }
  }

  // A key unique to this test run, removed in TearDown.
  std::string key(const std::string& name)
  {
    m_keys.push_back(m_prefix + name);
    return m_keys.back();
  }

  RedisConnection& redis()
  {
    return *m_redis;
  }

  std::string m_url;

private:
  std::unique_ptr<RedisConnection> m_redis;
  std::string m_prefix;
  std::vector<std::string> m_keys;
};

TEST_F(RedisTest, ServerIsRedisSeven)
{
  const auto info = redis().command({"INFO", "server"});
  ASSERT_EQ(info->type, REDIS_REPLY_STRING);
  EXPECT_NE(text_of(info).find("redis_version:7."), std::string::npos) << text_of(info);
}

TEST_F(RedisTest, SetThenGetReturnsTheValueByteForByte)
{
  const std::string value("binary\0safe value", 17);
  const auto name = key("greeting");

  EXPECT_EQ(text_of(redis().command({"SET", name, value})), "OK");
  const auto got = redis().command({"GET", name});

  ASSERT_EQ(got->type, REDIS_REPLY_STRING);
  EXPECT_EQ(text_of(got), value);
}

TEST_F(RedisTest, IncrCountsFromZeroAndIncrByAdds)
{
  const auto counter = key("counter");

  EXPECT_EQ(redis().command({"INCR", counter})->integer, 1);
  EXPECT_EQ(redis().command({"INCRBY", counter, "41"})->integer, 42);
  EXPECT_EQ(text_of(redis().command({"GET", counter})), "42");
}

TEST_F(RedisTest, KeyWithExpiryIsGoneAfterItExpires)
{
  const auto name = key("short-lived");
  ASSERT_EQ(text_of(redis().command({"SET", name, "v", "PX", "200"})), "OK");
  const auto ttl = redis().command({"PTTL", name})->integer;
  EXPECT_GT(ttl, 0);
  EXPECT_LE(ttl, 200);

  // Bounded polling rather than one long sleep: expiry is exact enough to be quick here.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  long long exists = 1;
  while (exists != 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    exists = redis().command({"EXISTS", name})->integer;
  }
  EXPECT_EQ(exists, 0);
  EXPECT_EQ(redis().command({"GET", name})->type, REDIS_REPLY_NIL);
}

TEST_F(RedisTest, ListPushThenPopIsFirstInFirstOut)
{
  const auto queue = key("queue");

  EXPECT_EQ(redis().command({"RPUSH", queue, "first", "second", "third"})->integer, 3);
  EXPECT_EQ(text_of(redis().command({"LPOP", queue})), "first");
  EXPECT_EQ(text_of(redis().command({"LPOP", queue})), "second");
  EXPECT_EQ(redis().command({"LLEN", queue})->integer, 1);
}

TEST_F(RedisTest, PipelinedRepliesComeBackInOrder)
{
  const auto name = key("pipelined");

  redis().append({"SET", name, "10"});
  redis().append({"INCRBY", name, "5"});
  redis().append({"GET", name});
  redis().append({"STRLEN", name});

  EXPECT_EQ(text_of(redis().reply()), "OK");
  EXPECT_EQ(redis().reply()->integer, 15);
  EXPECT_EQ(text_of(redis().reply()), "15");
  EXPECT_EQ(redis().reply()->integer, 2);
}

TEST_F(RedisTest, TransactionAppliesAllItsCommandsOnExec)
{
  const auto balance = key("balance");
  const auto history = key("history");

  EXPECT_EQ(text_of(redis().command({"MULTI"})), "OK");
  EXPECT_EQ(text_of(redis().command({"SET", balance, "100"})), "QUEUED");
  EXPECT_EQ(text_of(redis().command({"RPUSH", history, "opened"})), "QUEUED");
  const auto executed = redis().command({"EXEC"});

  ASSERT_EQ(executed->type, REDIS_REPLY_ARRAY);
  ASSERT_EQ(executed->elements, 2u);
  EXPECT_EQ(executed->element[1]->integer, 1);
  EXPECT_EQ(text_of(redis().command({"GET", balance})), "100");
}

TEST_F(RedisTest, TransactionIsDiscardedWhenAWatchedKeyChanges)
{
  const auto stock = key("stock");
  ASSERT_EQ(text_of(redis().command({"SET", stock, "5"})), "OK");

  EXPECT_EQ(text_of(redis().command({"WATCH", stock})), "OK");
  RedisConnection other(parse_redis_url(m_url));
  EXPECT_EQ(other.command({"DECR", stock})->integer, 4);
  redis().command({"MULTI"});
  redis().command({"SET", stock, "0"});
  const auto executed = redis().command({"EXEC"});

  EXPECT_EQ(executed->type, REDIS_REPLY_NIL);
  EXPECT_EQ(text_of(redis().command({"GET", stock})), "4");
}

}  // namespace
}  // namespace orchestrate::examples
