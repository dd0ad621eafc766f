// Completion scripts from the CLI11 tree; see completion_script.hpp.
#include "completion_script.hpp"

#include <algorithm>
#include <functional>
#include <vector>

namespace gitmoor::cli {

namespace {

struct CommandPath {
  std::string path;                  // "gitmoor/app/sync"
  std::vector<std::string> commands;  // subcommand names
  std::vector<std::string> flags;     // --long and -s names
};

std::vector<CommandPath> command_paths(const CLI::App& root) {
  std::vector<CommandPath> out;
  std::function<void(const CLI::App&, const std::string&, std::vector<std::string>)> walk =
      [&](const CLI::App& app, const std::string& path, std::vector<std::string> inherited) {
        CommandPath entry{path, {}, {}};
        std::vector<std::string> own;
        for (const CLI::Option* option : app.get_options()) {
          if (option->get_positional() && option->get_lnames().empty() && option->get_snames().empty()) continue;
          for (const auto& name : option->get_lnames()) own.push_back("--" + name);
          for (const auto& name : option->get_snames()) own.push_back("-" + name);
        }
        entry.flags = own;
        for (const auto& flag : inherited) {
          if (std::find(entry.flags.begin(), entry.flags.end(), flag) == entry.flags.end()) entry.flags.push_back(flag);
        }
        // Flags of a command that lets its options fall through are accepted by every subcommand under it.
        std::vector<std::string> passed = inherited;
        if (app.get_fallthrough()) {
          for (const auto& flag : own) {
            if (std::find(passed.begin(), passed.end(), flag) == passed.end()) passed.push_back(flag);
          }
        }
        std::vector<const CLI::App*> subcommands;
        for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
          if (sub->get_group().empty() || sub->get_name().empty()) continue;  // hidden
          entry.commands.push_back(sub->get_name());
          subcommands.push_back(sub);
        }
        out.push_back(entry);
        for (const CLI::App* sub : subcommands) walk(*sub, path + "/" + sub->get_name(), passed);
      };
  walk(root, root.get_name(), {});
  return out;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

// Two shell functions mapping a command path to its words; names contain no quotes or spaces (CLI11 names).
std::string lookup_functions(const std::string& prefix, const std::vector<CommandPath>& paths) {
  std::string out = prefix + "_commands() {\n  case \"$1\" in\n";
  for (const auto& p : paths) {
    if (!p.commands.empty()) out += "    " + p.path + ") echo \"" + join(p.commands) + "\" ;;\n";
  }
  out += "  esac\n}\n" + prefix + "_flags() {\n  case \"$1\" in\n";
  for (const auto& p : paths) out += "    " + p.path + ") echo \"" + join(p.flags) + "\" ;;\n";
  out += "  esac\n}\n";
  return out;
}

}  // namespace

std::string bash_completion(const CLI::App& root) {
  const std::string name = root.get_name();
  const std::string fn = "_" + name;
  std::string out = "# bash completion for " + name + "; load with: source <(" + name + " completion bash)\n";
  out += lookup_functions(fn, command_paths(root));
  out += fn + "() {\n"
         "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" cmdpath=" + name + " i w\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    w=\"${COMP_WORDS[i]}\"\n"
         "    [[ \"$w\" == -* ]] && continue\n"
         "    [[ \" $(" + fn + "_commands \"$cmdpath\") \" == *\" $w \"* ]] && cmdpath=\"$cmdpath/$w\"\n"
         "  done\n"
         "  if [[ \"$cur\" == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$(" + fn + "_flags \"$cmdpath\")\" -- \"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -W \"$(" + fn + "_commands \"$cmdpath\")\" -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -F " + fn + " " + name + "\n";
  return out;
}

std::string zsh_completion(const CLI::App& root) {
  const std::string name = root.get_name();
  const std::string fn = "_" + name;
  std::string out = "#compdef " + name + "\n# zsh completion for " + name + "; load with: source <(" + name +
                    " completion zsh)\n";
  out += lookup_functions(fn, command_paths(root));
  // `path` is special in zsh (tied to PATH), hence cmdpath.
  out += fn + "() {\n"
         "  local cmdpath=" + name + " i w\n"
         "  for ((i = 2; i < CURRENT; i++)); do\n"
         "    w=\"${words[i]}\"\n"
         "    [[ \"$w\" == -* ]] && continue\n"
         "    [[ \" $(" + fn + "_commands \"$cmdpath\") \" == *\" $w \"* ]] && cmdpath=\"$cmdpath/$w\"\n"
         "  done\n"
         "  if [[ \"${words[CURRENT]}\" == -* ]]; then\n"
         "    compadd -- ${=$(" + fn + "_flags \"$cmdpath\")}\n"
         "  else\n"
         "    compadd -- ${=$(" + fn + "_commands \"$cmdpath\")}\n"
         "  fi\n"
         "}\n"
         "if [[ \"$funcstack[1]\" == \"" + fn + "\" ]]; then\n"
         "  " + fn + " \"$@\"\n"
         "else\n"
         "  compdef " + fn + " " + name + "\n"
         "fi\n";
  return out;
}

}  // namespace gitmoor::cli
