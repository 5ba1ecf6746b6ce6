// The thin `orchestrate` executable: picks the subcommand, lets it parse its options and call the
// library, and maps errors to exit codes. All logic lives in the library.

#include "cli/Commands.hpp"
#include "core/Error.hpp"
#include "core/ExitCode.hpp"

#include <boost/program_options/errors.hpp>
#include <cstdio>
#include <string>
#include <vector>

int main(int argc, char** argv)
{
  const auto call = orchestrate::cli::find_subcommand({argv + 1, argv + argc});
  try {
    return orchestrate::cli::subcommands().at(call.name)(call.arguments);
  } catch (const boost::program_options::error& error) {
    std::fprintf(stderr, "orchestrate: %s (see orchestrate --help)\n", error.what());
    return orchestrate::to_int(orchestrate::ExitCode::k_usage_error);
  } catch (const orchestrate::Error& error) {
    std::fprintf(stderr, "orchestrate: %s\n", error.what());
    return orchestrate::to_int(error.exit_code());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "orchestrate: internal error: %s\n", error.what());
    return orchestrate::to_int(orchestrate::ExitCode::k_internal_error);
  }
}
