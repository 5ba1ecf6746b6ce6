#include "policy/LintRules.hpp"

namespace orchestrate {

const std::vector<LintRule>& lint_rules()
{
  static const std::vector<LintRule> rules{
    {lint_rule::k_memory_limit,
     "every service has a memory limit (deploy.resources.limits.memory or mem_limit)",
     "orchestrate adds up the memory limits of a stack to decide how many shard stacks fit in "
     "memory_budget, and lowers --parallel to fit. A service without a limit makes that sum a "
     "guess: ten copies of it may take all of the host's memory, and the kernel then kills "
     "whatever it picks, tests included. Set e.g. "
     "`deploy: {resources: {limits: {memory: 256M}}}`."},
    {lint_rule::k_cpu_limit,
     "every service has a CPU limit (deploy.resources.limits.cpus or cpus)",
     "Shard stacks run side by side on the same cores. One service that spins without a CPU "
     "limit starves the others and turns timeouts into flaky failures in unrelated shards. Set "
     "e.g. `deploy: {resources: {limits: {cpus: \"0.5\"}}}`."},
    {lint_rule::k_tmpfs_size,
     "every tmpfs has a size (tmpfs: [/path:size=64m], or tmpfs.size of a type: tmpfs volume)",
     "A tmpfs without a size may grow to half the host's RAM. Its pages are charged to the "
     "container's memory limit, so a full one gets the service OOM-killed in the middle of a "
     "test instead of failing a write with a clear 'no space left on device'. Give it a size "
     "well below the memory limit."},
    {lint_rule::k_healthcheck,
     "a service that a fixture gates on health has a healthcheck, and it is not disabled",
     "A fixture with `readiness: {kind: health}` waits until the container's health status is "
     "`healthy`. A service without a healthcheck (or with `disable: true`, or test NONE) never "
     "gets there, so every run waits the whole readiness_timeout and then fails. A HEALTHCHECK "
     "in the image is not visible to lint: declare the healthcheck in the compose file."},
    {lint_rule::k_log_rotation,
     "logs are rotated: driver json-file with options.max-size, or driver local or none",
     "Docker's default json-file driver keeps a container's log without limit. Many shards per "
     "run and many runs a day let a chatty service fill the disk. Use json-file with "
     "options.max-size (and max-file), or local, which rotates by default (5 files of 20 MB, "
     "compressed). none keeps no log at all: allowed, but orchestrate can then show nothing when "
     "the service fails to get ready. Other drivers send logs where orchestrate can neither "
     "bound nor read them."},
    {lint_rule::k_container_name,
     "no service sets container_name",
     "Compose names containers <project>-<service>-<n>, and every shard stack has its own "
     "project name. A fixed container_name is global to the engine: the second shard's stack "
     "fails with 'name is already in use', and so does anyone else's container of that name. "
     "Remove it; `docker compose -p <project> ps` finds the container."},
    {lint_rule::k_fixed_host_port,
     "no service publishes a fixed host port (\"8080:80\", published: 8080, network_mode: host)",
     "Shards run the same compose file at the same time, and a host port can be bound only "
     "once: the second stack fails with 'port is already allocated', or clashes with a "
     "developer's own Postgres. Publish \"127.0.0.1::5432\" (an ephemeral port on loopback); "
     "the fixtures tell the tests which port the engine picked."},
    {lint_rule::k_privileged,
     "no service runs privileged: true",
     "A privileged container has every capability and every host device: a misbehaving test "
     "service can change the host and the other stacks on it. Test fixtures never need it; add "
     "the single capability a service needs with cap_add instead."},
    {lint_rule::k_docker_socket,
     "no service mounts the Docker socket (unless allow_docker_socket_mount: true)",
     "The Docker socket gives a container full control of the engine: it can start privileged "
     "containers and remove other people's containers and volumes, which orchestrate promises "
     "never to touch. If a service really needs it (a CI agent, say), set "
     "allow_docker_socket_mount: true in orchestrate.yaml."},
  };
  return rules;
}

const LintRule* find_lint_rule(std::string_view name)
{
  for (const auto& rule : lint_rules()) {
    if (rule.name == name) {
      return &rule;
    }
  }
  return nullptr;
}

}  // namespace orchestrate
