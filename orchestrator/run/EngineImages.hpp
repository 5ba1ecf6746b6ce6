#pragma once

#include "docker/ComposeModel.hpp"
#include "docker/DockerEngine.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// Whether an engine after the main one holds every image of the run's stack (docs/scale-out.md,
// "Missing images"): stacks come up with `--no-build` and no registry, so a stack placed on an
// engine that lacks an image would fail at `compose up`. Such an engine is left out of the run's
// placement with a warning, as one that does not answer is; the main engine is not asked (a
// missing image there fails its stacks with compose's message, as with a single engine).

// The images the stack's services are created from, each once, in service order. A service that
// is only built (no `image`) is left out: nothing to look up.
std::vector<std::string> stack_images(const ComposeModel& model);

// Those of `images` for which `present` says no, in the same order.
std::vector<std::string> missing_images(const std::vector<std::string>& images,
                                        const std::function<bool(const std::string&)>& present);

// What to warn when engine `engine` lacks `missing` (not empty):
// "engine build-2 lacks image orchestrate/postgres:latest: left out of this run (load it with
// docker save | docker load)".
std::string describe_missing_images(const std::string& engine,
                                    const std::vector<std::string>& missing);

// Asks `engine` for each of `images` (GET /images/{name}/json, one request each): the warning of
// describe_missing_images when some are missing, a warning naming the engine when it fails to
// answer, nullopt when it has them all. Never throws.
std::optional<std::string> check_engine_images(DockerEngine& engine,
                                               const std::vector<std::string>& images);

}  // namespace orchestrate
