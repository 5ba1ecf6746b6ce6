#include "RedisConnection.hpp"

#include <stdexcept>
#include <sys/time.h>

namespace orchestrate::examples {

namespace {

constexpr const char* k_scheme = "redis://";

int parse_number(const std::string& text, const std::string& url)
{
  std::size_t used = 0;
  int number = -1;
  try {
    number = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || used != text.size() || number < 0) {
    throw std::invalid_argument("not a redis://host:port/database URL: " + url);
  }
  return number;
}

}  // namespace

RedisAddress parse_redis_url(const std::string& url)
{
  const std::string scheme = k_scheme;
  if (url.rfind(scheme, 0) != 0) {
    throw std::invalid_argument("not a redis://host:port/database URL: " + url);
  }
  std::string rest = url.substr(scheme.size());
  RedisAddress address;

  const auto slash = rest.find('/');
  if (slash != std::string::npos) {
    const std::string database = rest.substr(slash + 1);
    address.database = database.empty() ? 0 : parse_number(database, url);
    rest.resize(slash);
  }
  const auto at = rest.rfind('@');
  if (at != std::string::npos) {
    const std::string user_info = rest.substr(0, at);
    const auto colon = user_info.find(':');
    address.password = colon == std::string::npos ? user_info : user_info.substr(colon + 1);
    rest.erase(0, at + 1);
  }
  // The port follows the last ':' that is not inside an [ipv6] literal.
  const auto bracket = rest.rfind(']');
  const auto colon = rest.rfind(':');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    address.port = parse_number(rest.substr(colon + 1), url);
    rest.resize(colon);
  }
  if (rest.size() >= 2 && rest.front() == '[' && rest.back() == ']') {
    rest = rest.substr(1, rest.size() - 2);
  }
  if (rest.empty()) {
    throw std::invalid_argument("no host in redis URL: " + url);
  }
  address.host = rest;
  return address;
}

RedisConnection::RedisConnection(const RedisAddress& address)
  : m_address(address.host + ":" + std::to_string(address.port))
{
  const timeval timeout{5, 0};
  m_context.reset(redisConnectWithTimeout(address.host.c_str(), address.port, timeout));
  if (!m_context) {
    throw std::runtime_error("cannot allocate a hiredis context for " + m_address);
  }
  if (m_context->err != 0) {
    fail("cannot connect");
  }
  // Replies must not block forever either: a test hanging on a dead server helps nobody.
  redisSetTimeout(m_context.get(), timeout);
  if (!address.password.empty()) {
    const auto auth = command({"AUTH", address.password});
    if (auth->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error("AUTH failed at " + m_address + ": " + auth->str);
    }
  }
  if (address.database != 0) {
    const auto select = command({"SELECT", std::to_string(address.database)});
    if (select->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error("SELECT failed at " + m_address + ": " + select->str);
    }
  }
}

void RedisConnection::fail(const std::string& what) const
{
  throw std::runtime_error(what + " (redis at " + m_address + "): " + m_context->errstr);
}

void RedisConnection::append(const std::vector<std::string>& argv)
{
  std::vector<const char*> arguments;
  std::vector<std::size_t> lengths;
  for (const auto& argument : argv) {
    arguments.push_back(argument.data());
    lengths.push_back(argument.size());
  }
  if (redisAppendCommandArgv(m_context.get(), static_cast<int>(argv.size()), arguments.data(),
                             lengths.data()) != REDIS_OK) {
    fail("cannot queue " + argv.front());
  }
}

RedisReply RedisConnection::reply()
{
  void* raw = nullptr;
  if (redisGetReply(m_context.get(), &raw) != REDIS_OK || raw == nullptr) {
    fail("no reply");
  }
  return RedisReply(static_cast<redisReply*>(raw));
}

RedisReply RedisConnection::command(const std::vector<std::string>& argv)
{
  append(argv);
  return reply();
}

}  // namespace orchestrate::examples
