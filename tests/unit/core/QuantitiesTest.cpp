#include "core/Quantities.hpp"

#include <gtest/gtest.h>

namespace orchestrate {
namespace {

TEST(QuantitiesTest, FormatsSizesBelowAMebibyteWithoutRoundingThemToZero)
{
  // Before: `memory_budget: 1k` was shown as "0 MiB".
  EXPECT_EQ(format_bytes(1024), "1 KiB");
  EXPECT_EQ(format_bytes(1000), "1000 bytes");
  EXPECT_EQ(format_bytes(512 * 1024), "512 KiB");
  EXPECT_EQ(format_bytes(1024 * 1024), "1 MiB");
  EXPECT_EQ(format_bytes(3ull << 29), "1.5 GiB");
}

TEST(QuantitiesTest, ValuesBeyondTheLimitsAreOutOfRangeNotSaturated)
{
  EXPECT_EQ(parse_byte_size("99999999999999999999GiB"), std::nullopt);
  EXPECT_TRUE(is_byte_size_out_of_range("99999999999999999999GiB"));
  EXPECT_EQ(parse_byte_size("1PiB"), std::nullopt);  // not a unit: malformed, not out of range
  EXPECT_FALSE(is_byte_size_out_of_range("1PiB"));
  EXPECT_EQ(parse_byte_size("1024t"), k_max_byte_size);
  EXPECT_TRUE(is_byte_size_out_of_range("1025t"));

  EXPECT_EQ(parse_duration("99999999999999999999h"), std::nullopt);
  EXPECT_TRUE(is_duration_out_of_range("99999999999999999999h"));
  EXPECT_EQ(parse_duration("8760h"), k_max_duration);
  EXPECT_TRUE(is_duration_out_of_range("8760.5h"));
  EXPECT_FALSE(is_duration_out_of_range("ten minutes"));
}

}  // namespace
}  // namespace orchestrate
