#pragma once

#include "docker/ComposeCli.hpp"
#include "docker/ComposeModel.hpp"

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace orchestrate {

// What the resolved compose model depends on: the text of every file compose reads (the -f files,
// the files their `extends` name, the .env file) and the values of the environment variables the
// files interpolate, plus COMPOSE_* (profiles, project settings). Two equal inputs resolve to the
// same model.
struct ComposeModelInputs
{
  std::map<std::string, std::string> files;  // absolute path -> content ("" when missing)
  std::map<std::string, std::string> variables;  // name -> value; unset ones are left out
  std::vector<std::string> unset_variables;      // referenced but unset (an unset one matters too)

  bool operator==(const ComposeModelInputs& other) const = default;
};

// Reads the inputs: `files` (every file compose reads; the caller knows the `extends` targets)
// and `.env` in `project_directory`, then the variables named in them (`$NAME`, `${NAME...}`)
// and every COMPOSE_* variable, from `environment`.
ComposeModelInputs read_compose_model_inputs(const std::vector<std::filesystem::path>& files,
                                             const std::filesystem::path& project_directory,
                                             const std::map<std::string, std::string>& environment);

// `docker compose config` costs about 0.3 s (the Go CLI started twice), most of what a run spends
// before its first `up`. The model only changes when its inputs do, so it is kept in a cache
// file with the inputs it was resolved from, written out in full and compared in full (no hash
// that could collide).

// The model cached in `cache_file` for exactly `inputs`; nullopt when there is none (no file, an
// unreadable one, other inputs). Spawns nothing.
std::optional<ComposeModel> load_cached_compose_model(const std::filesystem::path& cache_file,
                                                      const ComposeModelInputs& inputs);

// Writes `model_json` (compose's `config --format json` output) for `inputs` to `cache_file`,
// atomically. A failure to write is logged, never fatal.
void save_compose_model(const std::filesystem::path& cache_file, const ComposeModelInputs& inputs,
                        const std::string& model_json);

// Resolves the model with `docker compose config` (throws as load_compose_model does) and
// rewrites `cache_file` for `inputs` (a failure to write is logged, never fatal).
ComposeModel resolve_and_cache_compose_model(const ComposeCli& cli,
                                             const ComposeModelInputs& inputs,
                                             const std::filesystem::path& cache_file);

}  // namespace orchestrate
