// The gitmoor binary: parses the command line, configures logging, and hands over to a subcommand.
#include <iostream>

#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/core/version.hpp"
#include "pid1_init.hpp"

int main(int argc, char** argv) {
  using namespace gitmoor;
  // First, before any thread: as a container's PID 1, an init stays behind to reap orphans (pid1_init.hpp).
  if (const auto init_exit_code = cli::run_init_if_pid1()) return *init_exit_code;

  CLI::App app{"gitmoor keeps Kubernetes clusters in the state declared in Git.", "gitmoor"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(core::version()));

  std::string log_level = "info";
  std::string log_format = "text";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error, critical or off")
      ->capture_default_str();
  app.add_option("--log-format", log_format, "text, or json for one JSON object per line")->capture_default_str();
  app.parse_complete_callback([&] {
    core::configure_logging({.level = core::parse_log_level(log_level),
                             .format = core::parse_log_format(log_format)});
  });

  int exit_code = cli::kExitOk;
  cli::register_version(app, exit_code);
  cli::register_render(app, exit_code);
  cli::register_sandbox(app, exit_code);
  cli::register_diff(app, exit_code);
  cli::register_apply(app, exit_code);
  cli::register_serve(app, exit_code);
  cli::register_demo(app, exit_code);
  cli::register_image(app, exit_code);
  cli::register_login(app, exit_code);
  cli::register_app(app, exit_code);
  cli::register_account(app, exit_code);
  cli::register_completion(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with exit code 0 in CLI11.
    int code = app.exit(e);
    return code == 0 ? cli::kExitOk : cli::kExitUsage;
  } catch (const core::InvalidInput& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return cli::kExitFailure;
  }
  return exit_code;
}
