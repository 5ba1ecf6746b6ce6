#include "support/DockerTestSupport.hpp"

#include "docker/DockerEngine.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>

#include <future>
#include <random>
#include <sstream>
#include <stdexcept>

namespace orchestrate {

namespace {

std::string trimmed(const std::string& text)
{
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string joined(const std::vector<std::string>& items, const std::string& separator)
{
  std::string result;
  for (const std::string& item : items) {
    result += (result.empty() ? "" : separator) + item;
  }
  return result;
}

}  // namespace

std::string unique_test_id()
{
  std::random_device random;
  std::ostringstream id;
  id << "t" << std::hex;
  for (int i = 0; i < 8; ++i) {
    id << (random() % 16);
  }
  return id.str();
}

std::string run_docker(const std::vector<std::string>& args)
{
  namespace bp = boost::process;
  boost::asio::io_context io;
  std::future<std::string> out;
  std::future<std::string> err;
  // Both pipes are drained by asio at once, so a chatty stderr cannot block the child.
  bp::child child(bp::search_path("docker"), bp::args(args), bp::std_in.close(),
                  bp::std_out > out, bp::std_err > err, io);
  io.run();
  child.wait();
  const std::string output = out.get();
  if (child.exit_code() != 0) {
    throw std::runtime_error("docker " + joined(args, " ") + " exited with " +
                             std::to_string(child.exit_code()) + "\nstdout: " + output +
                             "\nstderr: " + err.get());
  }
  return trimmed(output);
}

bool Leftovers::empty() const
{
  return containers.empty() && networks.empty() && volumes.empty();
}

std::string Leftovers::describe() const
{
  const auto list = [](const std::vector<std::string>& names) {
    return names.empty() ? std::string("(none)") : joined(names, ", ");
  };
  return "containers: " + list(containers) + "; networks: " + list(networks) +
         "; volumes: " + list(volumes);
}

Leftovers leftovers_with_label(const std::string& label_filter)
{
  DockerEngine engine;
  return leftovers_with_label(engine, label_filter);
}

Leftovers leftovers_with_label(DockerEngine& engine, const std::string& label_filter)
{
  Leftovers leftovers;
  for (const ContainerSummary& container : engine.list_containers({label_filter})) {
    leftovers.containers.push_back(container.name);
  }
  for (const NetworkSummary& network : engine.list_networks({label_filter})) {
    leftovers.networks.push_back(network.name);
  }
  for (const VolumeSummary& volume : engine.list_volumes({label_filter})) {
    leftovers.volumes.push_back(volume.name);
  }
  return leftovers;
}

DockerCleanup::DockerCleanup(std::string label_filter) : m_label_filter(std::move(label_filter))
{
}

DockerCleanup::~DockerCleanup()
{
  remove_now();
}

void DockerCleanup::add_container(std::string id)
{
  m_container_ids.push_back(std::move(id));
}

void DockerCleanup::remove_now()
{
  try {
    DockerEngine engine;
    // Containers first: networks and volumes in use by them cannot be removed.
    for (const ContainerSummary& container : engine.list_containers({m_label_filter})) {
      engine.remove_container(container.id);
    }
    for (const std::string& id : m_container_ids) {
      engine.remove_container(id);
    }
    m_container_ids.clear();
    for (const NetworkSummary& network : engine.list_networks({m_label_filter})) {
      engine.remove_network(network.id);
    }
    for (const VolumeSummary& volume : engine.list_volumes({m_label_filter})) {
      engine.remove_volume(volume.name);
    }
  } catch (const std::exception&) {
    // Never throws: whatever stayed is reported by the test's leftovers assertion.
  }
}

}  // namespace orchestrate
