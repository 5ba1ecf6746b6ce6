#pragma once

#include <cstdint>
#include <map>

namespace orchestrate {

// The peaks of a run's memory use, from samples. Each sample is the usage of every running container
// of the run at one time, summed per shard (shard 0: containers without a shard label). Not
// thread-safe: ResourceMonitor guards it.
class MemoryPeaks
{
public:
  // Adds one sample. A shard absent from it used nothing at that time.
  void record(const std::map<int, std::uint64_t>& usage_by_shard);

  // The highest usage of `shard` in any one sample; 0 when never seen.
  std::uint64_t peak_for_shard(int shard) const;
  const std::map<int, std::uint64_t>& peaks_by_shard() const;
  // The highest sum over all shards in any one sample (not the sum of the shards' peaks, which
  // may have come at different times).
  std::uint64_t peak_total() const;
  // How many samples were recorded.
  int samples() const;

private:
  std::map<int, std::uint64_t> m_peaks;
  std::uint64_t m_peak_total = 0;
  int m_samples = 0;
};

}  // namespace orchestrate
