#include "run/FreshStackProvider.hpp"

#include "docker/ComposeStack.hpp"
#include "docker/FixturePorts.hpp"
#include "docker/ProjectName.hpp"

#include <spdlog/spdlog.h>

#include <ctime>

namespace orchestrate {

namespace {

// A new compose project for one shard. Its admission ticket is released only after the stack is
// gone, so that the memory budget never counts a stack twice or too early.
class FreshShardStack : public ShardStack
{
public:
  FreshShardStack(const FreshStackSettings& settings, StackSpec spec, DockerEngine& engine,
                  AdmissionTicket admission, StartSlots* start_slots)
    : m_settings(settings),
      m_engine(engine),
      m_admission(std::move(admission)),
      m_start_slots(start_slots),
      m_shard(spec.ownership.shard),
      m_stack(std::make_unique<ComposeStack>(std::move(spec), engine))
  {
  }

  ~FreshShardStack() override
  {
    release();
  }

  const std::string& name() const override
  {
    return m_stack->project_name();
  }

  StartSlot take_start_slot() override
  {
    return m_start_slots != nullptr ? m_start_slots->acquire(m_shard) : StartSlot();
  }

  void up() override
  {
    m_stack->up();
  }

  std::optional<std::map<std::string, ReadyEndpoint>> published_endpoints() noexcept override
  {
    try {
      return m_stack->published_endpoints(m_settings.fixtures);
    } catch (const std::exception& error) {
      spdlog::debug("{}: published ports not known yet: {}", name(), error.what());
      return std::nullopt;
    }
  }

  std::map<std::string, ReadyEndpoint> wait_ready() override
  {
    return m_stack->wait_ready(m_settings.fixtures, m_settings.readiness_timeout);
  }

  std::vector<std::string> broken_services() override
  {
    return m_stack->broken_services(m_settings.fixtures);
  }

  std::vector<ServiceDeath> service_deaths() override
  {
    return find_service_deaths(m_engine, name(), m_settings.fixtures);
  }

  Milliseconds release() noexcept override
  {
    if (m_released || m_kept) {
      return Milliseconds(0);
    }
    m_released = true;
    const auto duration = m_stack->tear_down().duration;
    m_admission = AdmissionTicket();
    return duration;
  }

  void keep() override
  {
    m_kept = true;
    m_stack->keep();
  }

private:
  const FreshStackSettings& m_settings;
  DockerEngine& m_engine;
  AdmissionTicket m_admission;
  StartSlots* m_start_slots;
  int m_shard;
  std::unique_ptr<ComposeStack> m_stack;
  bool m_released = false;
  bool m_kept = false;
};

}  // namespace

FreshStackProvider::FreshStackProvider(FreshStackSettings settings, DockerEngine& engine,
                                       StackAdmission* admission, StartSlots* start_slots)
  : m_settings(std::move(settings)),
    m_engine(engine),
    m_admission(admission),
    m_start_slots(start_slots)
{
}

std::unique_ptr<ShardStack> FreshStackProvider::provide(int shard,
                                                        const std::filesystem::path& shard_dir)
{
  StackSpec spec;
  spec.ownership.project_prefix = m_settings.project_prefix;
  spec.ownership.environment = m_settings.environment;
  spec.ownership.run_id = m_settings.run_id;
  spec.ownership.shard = shard;
  spec.ownership.stack = shard_project_name(m_settings.project_prefix, m_settings.environment,
                                            m_settings.run_id, shard);
  spec.ownership.owner = m_settings.owner_label;
  spec.ownership.created_unix_seconds = static_cast<long long>(std::time(nullptr));
  spec.ownership.pool = m_settings.pool;
  spec.compose_files = m_settings.compose_files;
  spec.work_dir = shard_dir;
  spec.model = m_settings.model;
  spec.published_ports = fixture_published_ports(m_settings.fixtures);
  spec.stop_timeout = m_settings.stop_timeout;
  // Waits while the memory budget is spent by other shards' stacks: queued, never failed.
  AdmissionTicket admission = m_admission != nullptr ? m_admission->admit() : AdmissionTicket();
  return std::make_unique<FreshShardStack>(m_settings, std::move(spec), m_engine,
                                           std::move(admission), m_start_slots);
}

}  // namespace orchestrate
