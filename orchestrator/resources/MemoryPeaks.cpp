#include "resources/MemoryPeaks.hpp"

#include <algorithm>

namespace orchestrate {

void MemoryPeaks::record(const std::map<int, std::uint64_t>& usage_by_shard)
{
  std::uint64_t total = 0;
  for (const auto& [shard, usage] : usage_by_shard) {
    std::uint64_t& peak = m_peaks[shard];
    peak = std::max(peak, usage);
    total += usage;
  }
  m_peak_total = std::max(m_peak_total, total);
  ++m_samples;
}

std::uint64_t MemoryPeaks::peak_for_shard(int shard) const
{
  const auto found = m_peaks.find(shard);
  return found == m_peaks.end() ? 0 : found->second;
}

const std::map<int, std::uint64_t>& MemoryPeaks::peaks_by_shard() const
{
  return m_peaks;
}

std::uint64_t MemoryPeaks::peak_total() const
{
  return m_peak_total;
}

int MemoryPeaks::samples() const
{
  return m_samples;
}

}  // namespace orchestrate
