#include "support/ExtraEngine.hpp"

#include "docker/DockerEngine.hpp"
#include "process/ChildProcess.hpp"
#include "process/Fd.hpp"
#include "process/ProcStat.hpp"
#include "support/DockerTestSupport.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

namespace orchestrate {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Milliseconds k_start_bound(60'000);
constexpr int k_start_attempts = 3;
constexpr Milliseconds k_stop_bound(30'000);
constexpr Milliseconds k_poll(100);
constexpr const char* k_bridge_address = "172.27.0.1/16";  // inside the namespace only

struct CommandRun
{
  bool succeeded = false;
  std::string output;
};

CommandRun run(const std::vector<std::string>& argv,
               const std::map<std::string, std::string>& environment = {})
{
  ProcessOptions options;
  options.argv = argv;
  options.extra_environment = environment;
  options.capture_output = true;
  const auto result = run_command(options, Milliseconds(120'000));
  return {result.exit.succeeded(), result.output};
}

std::string describe(const std::vector<std::string>& argv)
{
  std::string text;
  for (const auto& argument : argv) {
    text += (text.empty() ? "" : " ") + argument;
  }
  return text;
}

// Whether this machine's dockerd is older than 23.0: its ID then comes from a key file,
// /etc/docker/key.json unless --deprecated-key-path names another (from 23.0 on, a file in the
// data root, which each engine here has of its own).
bool dockerd_takes_its_id_from_a_key_file()
{
  const auto version = run({"dockerd", "--version"}).output;  // "Docker version 20.10.24+dfsg1, ..."
  const auto digits = version.find_first_of("0123456789");
  return digits != std::string::npos && std::stoi(version.substr(digits)) < 23;
}

// Runs a setup step; a failure that says the kernel cannot do it is ExtraEngineUnsupported.
void set_up(const std::vector<std::string>& argv)
{
  const auto result = run(argv);
  if (result.succeeded) {
    return;
  }
  const std::string message = "`" + describe(argv) + "` failed: " + result.output;
  for (const char* missing : {"not supported", "Unknown device type", "Protocol not supported",
                              "No such file or directory"}) {
    if (result.output.find(missing) != std::string::npos) {
      throw ExtraEngineUnsupported("the kernel cannot give a test engine its own network: " +
                                   message);
    }
  }
  throw std::runtime_error(message);
}

// The suffix of unique_test_id() ("t" + 8 hex digits) as a number, for addresses.
unsigned long id_number(const std::string& id)
{
  return std::stoul(id.substr(1), nullptr, 16);
}

// Waits for `pid` (our child) to exit for up to `bound`. True when it was reaped.
bool reap_within(int pid, Milliseconds bound)
{
  const auto deadline = Clock::now() + bound;
  while (true) {
    int status = 0;
    const pid_t result = ::waitpid(pid, &status, WNOHANG);
    if (result == pid || (result < 0 && errno == ECHILD)) {
      return true;
    }
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(k_poll);
  }
}

ino_t inode_of(const std::string& path)
{
  struct stat status{};
  return ::stat(path.c_str(), &status) == 0 ? status.st_ino : 0;
}

std::string read_text(const std::filesystem::path& path)
{
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

ExtraEngine::ExtraEngine(ExtraEngineOptions options) : m_options(options), m_id(unique_test_id())
{
  const std::string hex = m_id.substr(1);
  m_netns = "oe-" + hex;
  m_host_veth = "oeh" + hex;  // interface names: at most 15 characters
  m_peer_veth = "oen" + hex;
  m_bridge = "oeb" + hex;
  // A /30 of its own in 10.200.0.0-10.249.255.255, picked by the id: another engine of another
  // test gets another one.
  const unsigned long number = id_number(m_id);
  const std::string network = "10." + std::to_string(200 + number % 50) + "." +
                              std::to_string((number >> 8) % 256) + ".";
  const unsigned long base = ((number >> 16) % 64) * 4;
  m_host_address = network + std::to_string(base + 1);
  m_address = network + std::to_string(base + 2);
  if (!std::filesystem::exists("/proc/self/ns/net")) {
    throw ExtraEngineUnsupported("the kernel has no network namespaces (/proc/self/ns/net)");
  }
  try {
    set_up_network();
    if (m_options.tls) {
      make_certificates();
    }
    start_engine();
  } catch (...) {
    tear_down();
    throw;
  }
}

ExtraEngine::~ExtraEngine()
{
  tear_down();
}

void ExtraEngine::set_up_network()
{
  set_up({"ip", "netns", "add", m_netns});
  m_netns_created = true;
  set_up({"ip", "link", "add", m_host_veth, "type", "veth", "peer", "name", m_peer_veth});
  set_up({"ip", "link", "set", m_peer_veth, "netns", m_netns});
  set_up({"ip", "addr", "add", m_host_address + "/30", "dev", m_host_veth});
  set_up({"ip", "link", "set", m_host_veth, "up"});
  // nsenter --net enters only the network namespace; `ip netns exec` would remount /sys and
  // hide the cgroup mounts dockerd needs.
  const std::string enter = "--net=/var/run/netns/" + m_netns;
  set_up({"nsenter", enter, "ip", "addr", "add", m_address + "/30", "dev", m_peer_veth});
  set_up({"nsenter", enter, "ip", "link", "set", m_peer_veth, "up"});
  set_up({"nsenter", enter, "ip", "link", "set", "lo", "up"});
  set_up({"nsenter", enter, "ip", "link", "add", m_bridge, "type", "bridge"});
  set_up({"nsenter", enter, "ip", "addr", "add", k_bridge_address, "dev", m_bridge});
  set_up({"nsenter", enter, "ip", "link", "set", m_bridge, "up"});
}

void ExtraEngine::make_certificates()
{
  // P-256 keys: made in milliseconds, and both Go's TLS (dockerd) and libcurl take them.
  const auto dir = root() / "tls";
  const auto client = client_cert_dir();
  std::filesystem::create_directories(dir);
  std::filesystem::create_directories(client);
  const auto file = [&](const char* name) { return (dir / name).string(); };
  const std::vector<std::string> new_key{"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                         "-nodes"};
  // A missing openssl is the machine's setup (scripts/setup installs it), not a kernel feature.
  const auto openssl = [](const std::vector<std::string>& argv) {
    const auto result = run(argv);
    if (!result.succeeded) {
      throw std::runtime_error("`" + describe(argv) + "` failed: " + result.output);
    }
  };
  auto request = [&](std::vector<std::string> argv) {
    argv.insert(argv.begin() + 2, new_key.begin(), new_key.end());
    openssl(argv);
  };
  request({"openssl", "req", "-x509", "-days", "2", "-subj", "/CN=orchestrate test CA",
           "-keyout", file("ca-key.pem"), "-out", file("ca.pem")});
  request({"openssl", "req", "-subj", "/CN=" + m_address, "-keyout", file("server-key.pem"),
           "-out", file("server.csr")});
  request({"openssl", "req", "-subj", "/CN=orchestrate test client", "-keyout",
           (client / "key.pem").string(), "-out", file("client.csr")});
  std::ofstream(dir / "server.ext") << "subjectAltName=IP:" << m_address
                                    << "\nextendedKeyUsage=serverAuth\n";
  std::ofstream(dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
  const auto sign = [&](const std::string& csr, const std::string& out, const std::string& ext) {
    openssl({"openssl", "x509", "-req", "-days", "2", "-in", csr, "-CA", file("ca.pem"), "-CAkey",
            file("ca-key.pem"), "-CAcreateserial", "-out", out, "-extfile", ext});
  };
  sign(file("server.csr"), file("server-cert.pem"), file("server.ext"));
  sign(file("client.csr"), (client / "cert.pem").string(), file("client.ext"));
  std::filesystem::copy_file(dir / "ca.pem", client / "ca.pem");
}

std::string ExtraEngine::tls_host() const
{
  return "tcp://" + m_address + ":2376";
}

std::filesystem::path ExtraEngine::client_cert_dir() const
{
  return root() / "client-certs";
}

std::string ExtraEngine::docker_host() const
{
  return "unix://" + socket_path().string();
}

std::filesystem::path ExtraEngine::socket_path() const
{
  return root() / "docker.sock";
}

bool ExtraEngine::answers() const
{
  return DockerEngine(socket_path().string()).ping(Milliseconds(1'000));
}

void ExtraEngine::start_engine()
{
  // On a loaded machine dockerd sometimes gives up waiting for its containerd ("timeout waiting
  // for containerd to start") and exits: that is the machine, not the test; start it again.
  for (int attempt = 1;; ++attempt) {
    try {
      start_dockerd();
      return;
    } catch (const DockerdExitedAtStart&) {
      if (attempt == k_start_attempts) {
        throw;
      }
    }
  }
}

void ExtraEngine::start_dockerd()
{
  if (m_dockerd_pid != 0) {
    return;
  }
  end_engine_processes();
  const auto dir = root().string();
  // Built before fork(): the child of a threaded process may only make async-signal-safe calls.
  std::vector<std::string> arguments{
    "/usr/bin/nsenter", "--net=/var/run/netns/" + m_netns, "dockerd",
    "--host", docker_host(),
    "--data-root", dir + "/data",
    "--exec-root", dir + "/exec",
    "--pidfile", dir + "/docker.pid",
    "--bridge", m_bridge,  // never "none": that deletes the host's docker0
    "--iptables=false",
    "--containerd-namespace", m_netns,
    "--containerd-plugins-namespace", m_netns + "p"};
  if (dockerd_takes_its_id_from_a_key_file()) {
    // An ID of its own, as an engine on another machine has (the environment lock is per engine
    // ID): not the machine's engine's.
    // Only daemon.json can say so: the flag is gone from this dockerd's command line.
    std::ofstream(dir + "/daemon.json") << "{\"deprecated-key-path\": \"" << dir << "/key.json\"}\n";
    arguments.insert(arguments.end(), {"--config-file", dir + "/daemon.json"});
  }
  if (!m_options.reachable_ports) {
    // No docker-proxy processes: they would outlive a killed dockerd. Ports are still allocated
    // and shown by inspect. (With them, the teardown's sweep of the namespace ends them.)
    arguments.push_back("--userland-proxy=false");
  }
  if (m_options.tls) {
    const auto tls = root() / "tls";
    arguments.insert(arguments.end(),
                     {"--host", tls_host(), "--tlsverify", "--tlscacert", (tls / "ca.pem").string(),
                      "--tlscert", (tls / "server-cert.pem").string(), "--tlskey",
                      (tls / "server-key.pem").string()});
  }
  std::vector<char*> argv;
  for (auto& argument : arguments) {
    argv.push_back(argument.data());
  }
  argv.push_back(nullptr);
  Fd log(::open((dir + "/dockerd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  Fd null_input(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!log || !null_input) {
    throw std::runtime_error("cannot open dockerd's log in " + dir);
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    throw std::runtime_error("cannot fork dockerd");
  }
  if (pid == 0) {
    // Its own session: a Ctrl-C at the test's terminal is the test's to handle, not dockerd's.
    ::setsid();
    ::dup2(null_input.get(), STDIN_FILENO);
    ::dup2(log.get(), STDOUT_FILENO);
    ::dup2(log.get(), STDERR_FILENO);
    ::close_range(3, ~0U, 0);
    ::execv(argv[0], argv.data());  // nsenter execs dockerd in place: this pid is dockerd's
    ::_exit(127);
  }
  m_dockerd_pid = pid;
  const auto deadline = Clock::now() + k_start_bound;
  while (!answers()) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      m_dockerd_pid = 0;
      throw DockerdExitedAtStart("the test engine's dockerd exited at start:\n" +
                                 read_log_tail());
    }
    if (Clock::now() >= deadline) {
      stop_engine();
      throw std::runtime_error("the test engine did not answer within 60 s:\n" + read_log_tail());
    }
    std::this_thread::sleep_for(k_poll);
  }
}

void ExtraEngine::kill_engine()
{
  if (m_dockerd_pid == 0) {
    return;
  }
  ::kill(m_dockerd_pid, SIGKILL);
  reap_within(m_dockerd_pid, k_stop_bound);
  m_dockerd_pid = 0;
  end_engine_processes();
}

void ExtraEngine::end_engine_processes() noexcept
{
  // dockerd's containerd dies with it (parent-death signal), but not always at once; a new
  // dockerd cannot start its own while the old one holds its state. The shims (and with them
  // the containers) are left running, as after a crash.
  const auto config = (root() / "exec" / "containerd" / "containerd.toml").string();
  const auto deadline = Clock::now() + k_stop_bound;
  std::error_code error;
  while (Clock::now() < deadline) {
    bool found = false;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
      const auto command = read_text(entry.path() / "cmdline");
      if (command.rfind("containerd", 0) == 0 && command.find(config) != std::string::npos) {
        const auto name = entry.path().filename().string();
        if (std::all_of(name.begin(), name.end(), ::isdigit)) {
          found = true;
          ::kill(std::stoi(name), SIGKILL);
        }
      }
    }
    if (!found) {
      break;
    }
    std::this_thread::sleep_for(k_poll);
  }
  // Where PID 1 is slow to reap orphans, the dead containerd stays a zombie for a while, and a new
  // dockerd that finds its pid file takes it for alive ("containerd is still running") and waits
  // for it in vain: a pid file of a process that no longer runs is stale.
  const auto pid_file = root() / "exec" / "containerd" / "containerd.pid";
  auto pid_text = read_text(pid_file);
  while (!pid_text.empty() && std::isspace(static_cast<unsigned char>(pid_text.back()))) {
    pid_text.pop_back();
  }
  if (!pid_text.empty() && std::all_of(pid_text.begin(), pid_text.end(), ::isdigit) &&
      !process_is_running(std::stoi(pid_text))) {
    std::filesystem::remove(pid_file, error);
  }
}

void ExtraEngine::stop_engine() noexcept
{
  if (m_dockerd_pid == 0) {
    return;
  }
  try {
    // The whole engine is this test's: every container on it may go, at once, so that dockerd's
    // shutdown waits for no stop grace period.
    DockerEngine engine(socket_path().string());
    for (const auto& container : engine.list_containers({})) {
      engine.remove_container(container.id);
    }
  } catch (const std::exception&) {
    // Not answering: SIGTERM below, and the destructor's sweep, still end everything.
  }
  ::kill(m_dockerd_pid, SIGTERM);
  if (!reap_within(m_dockerd_pid, k_stop_bound)) {
    ::kill(m_dockerd_pid, SIGKILL);
    reap_within(m_dockerd_pid, k_stop_bound);
  }
  m_dockerd_pid = 0;
}

void ExtraEngine::load_images(const std::vector<std::string>& images)
{
  const auto archive = (root() / "images.tar").string();
  std::vector<std::string> save{"docker", "save", "-o", archive};
  save.insert(save.end(), images.begin(), images.end());
  // DOCKER_HOST is cleared for the save: it must read the machine's engine, whatever the test's
  // environment says.
  const auto saved = run(save, {{"DOCKER_HOST", ""}});
  if (!saved.succeeded) {
    throw std::runtime_error("`" + describe(save) + "` failed: " + saved.output);
  }
  const std::vector<std::string> load{"docker", "load", "-i", archive};
  const auto loaded = run(load, {{"DOCKER_HOST", docker_host()}});
  std::filesystem::remove(archive);
  if (!loaded.succeeded) {
    throw std::runtime_error("`" + describe(load) + "` failed: " + loaded.output);
  }
}

void ExtraEngine::kill_leftover_processes() noexcept
{
  try {
    // What is ours: the container ids in our own data root, and our network namespace.
    std::vector<std::string> container_ids;
    std::error_code error;
    for (const auto& entry :
         std::filesystem::directory_iterator(root() / "data" / "containers", error)) {
      container_ids.push_back(entry.path().filename().string());
    }
    const ino_t our_netns = inode_of("/var/run/netns/" + m_netns);
    for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
      const auto name = entry.path().filename().string();
      if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) {
        continue;
      }
      const int pid = std::stoi(name);
      if (pid == ::getpid()) {
        continue;
      }
      bool ours = our_netns != 0 && inode_of(entry.path() / "ns" / "net") == our_netns;
      if (!ours && !container_ids.empty()) {
        const auto cgroups = read_text(entry.path() / "cgroup");
        ours = std::any_of(container_ids.begin(), container_ids.end(), [&](const auto& id) {
          return cgroups.find(id) != std::string::npos;
        });
      }
      if (ours) {
        ::kill(pid, SIGKILL);
      }
    }
  } catch (const std::exception&) {
    // Best effort: the checks of the test report what is left.
  }
}

void ExtraEngine::unmount_leftovers() noexcept
{
  try {
    // dockerd bind-mounts its data root (and overlay layers under it) and leaves some mounted.
    std::vector<std::string> mounts;
    std::istringstream table(read_text("/proc/self/mountinfo"));
    std::string line;
    const auto prefix = root().string();
    while (std::getline(table, line)) {
      std::istringstream fields(line);
      std::string field;
      for (int i = 0; i < 5 && fields >> field; ++i) {
      }
      if (field == prefix || field.rfind(prefix + "/", 0) == 0) {
        mounts.push_back(field);
      }
    }
    // Deepest first.
    std::sort(mounts.begin(), mounts.end(),
              [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& mount : mounts) {
      ::umount2(mount.c_str(), MNT_DETACH);
    }
  } catch (const std::exception&) {
    // Best effort, as above.
  }
}

void ExtraEngine::tear_down() noexcept
{
  stop_engine();
  kill_leftover_processes();
  unmount_leftovers();
  try {
    if (m_netns_created) {
      // Deleting the namespace deletes the bridge and the veth pair with it, a moment later.
      run({"ip", "netns", "delete", m_netns});
      m_netns_created = false;
    }
    const auto deadline = Clock::now() + Milliseconds(10'000);
    while (std::filesystem::exists("/sys/class/net/" + m_host_veth) && Clock::now() < deadline) {
      std::this_thread::sleep_for(k_poll);
    }
    if (std::filesystem::exists("/sys/class/net/" + m_host_veth)) {
      run({"ip", "link", "delete", m_host_veth});
    }
  } catch (const std::exception&) {
    // `ip` could not even start: the test's own checks name what is left.
  }
}

std::string ExtraEngine::read_log_tail() const
{
  const auto log = read_text(root() / "dockerd.log");
  return log.size() > 4'000 ? log.substr(log.size() - 4'000) : log;
}

}  // namespace orchestrate
