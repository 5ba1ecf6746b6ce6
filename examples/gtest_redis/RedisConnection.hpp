#pragma once

// A small RAII layer over hiredis (Debian's libhiredis-dev) for the example tests: a connection
// made from a redis:// URL, and replies that free themselves.

#include <hiredis/hiredis.h>

#include <memory>
#include <string>
#include <vector>

namespace orchestrate::examples {

// Where a redis:// URL points.
struct RedisAddress
{
  std::string host;
  int port = 6379;
  int database = 0;
  std::string password;  // empty: no AUTH
};

// Parses `redis://[[user]:password@]host[:port][/database]` (host may be `[ipv6]`). Throws
// std::invalid_argument naming the URL when it is not of that form.
RedisAddress parse_redis_url(const std::string& url);

struct ReplyDeleter
{
  void operator()(redisReply* reply) const
  {
    freeReplyObject(reply);
  }
};
using RedisReply = std::unique_ptr<redisReply, ReplyDeleter>;

// One connection, closed by the destructor. Move-only.
class RedisConnection
{
public:
  // Connects (bounded by a 5 s timeout), authenticates and selects the database. Throws
  // std::runtime_error with the address and hiredis's message when it cannot.
  explicit RedisConnection(const RedisAddress& address);

  // Sends one command (each argument binary-safe, no formatting) and returns its reply, which may
  // be a Redis error reply. Throws std::runtime_error when the connection fails.
  RedisReply command(const std::vector<std::string>& argv);

  // Pipelining: append() queues commands without waiting; each reply() then returns the next
  // reply in order. Both throw std::runtime_error when the connection fails.
  void append(const std::vector<std::string>& argv);
  RedisReply reply();

private:
  struct ContextDeleter
  {
    void operator()(redisContext* context) const
    {
      redisFree(context);
    }
  };

  [[noreturn]] void fail(const std::string& what) const;

  std::unique_ptr<redisContext, ContextDeleter> m_context;
  std::string m_address;
};

}  // namespace orchestrate::examples
