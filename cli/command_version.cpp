#include <iostream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "gitmoor/core/version.hpp"

namespace gitmoor::cli {

void register_version(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("version", "Print the gitmoor version");
  auto* output = cmd->add_option("-o,--output", "Output format: text or json")
                     ->check(CLI::IsMember({"text", "json"}))
                     ->default_val("text");
  cmd->callback([output, &exit_code] {
    if (output->as<std::string>() == "json") {
      nlohmann::json out{{"gitmoor", std::string(core::version())}};
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << "gitmoor " << core::version() << "\n";
    }
    exit_code = kExitOk;
  });
}

}  // namespace gitmoor::cli
