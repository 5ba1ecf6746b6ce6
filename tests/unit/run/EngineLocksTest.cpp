#include "run/EngineLocks.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace orchestrate {
namespace {

TEST(EngineLocksTest, KeyIsTheEngineIdWithWhatALockNameCannotHaveAsDashes)
{
  // Engine 20.10 IDs are colon-separated; newer ones are UUIDs.
  EXPECT_EQ(engine_lock_key("7TRN:IPZB:QYBB:VPBQ"), "7TRN-IPZB-QYBB-VPBQ");
  EXPECT_EQ(engine_lock_key("3b4e2c1a-9f0e-4c5d-8e7f-0a1b2c3d4e5f"),
            "3b4e2c1a-9f0e-4c5d-8e7f-0a1b2c3d4e5f");
  EXPECT_EQ(engine_lock_key(".hidden/../x"), "-hidden-..-x");
  EXPECT_EQ(engine_lock_key(""), "unknown");
}

TEST(EngineLocksTest, LocksAreTakenInKeyOrderAndOnceForTwoAddressesOfOneEngine)
{
  const auto order = engine_lock_order({{"c-id", "local"}, {"a-id", "tls"}, {"c-id", "local-tcp"},
                                        {"b-id", "ssh"}});
  std::vector<std::string> keys;
  std::vector<std::string> names;
  for (const auto& target : order) {
    keys.push_back(target.key);
    names.push_back(target.name);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a-id", "b-id", "c-id"}));
  EXPECT_EQ(names, (std::vector<std::string>{"tls", "ssh", "local"}));
}

}  // namespace
}  // namespace orchestrate
