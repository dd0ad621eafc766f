#include "container_exit.hpp"

#include <cctype>
#include <string>
#include <vector>

namespace gitmoor::sandbox {

namespace {

std::vector<std::string> argv_of(const nlohmann::json& container) {
  std::vector<std::string> argv;
  for (const char* field : {"command", "args"}) {
    auto it = container.find(field);
    if (it == container.end() || !it->is_array()) continue;
    for (const auto& a : *it) {
      if (a.is_string()) argv.push_back(a.get<std::string>());
    }
  }
  return argv;
}

bool is_false_binary(const std::string& arg) {
  return arg == "false" || (arg.size() > 6 && arg.compare(arg.size() - 6, 6, "/false") == 0);
}

// `exit N` at the very end of a shell script (trailing spaces and one `;` allowed), preceded by the start of the
// script, a space or a command separator so that `myexit 1` does not count.
int trailing_exit(std::string script) {
  while (!script.empty() && (std::isspace(static_cast<unsigned char>(script.back())) || script.back() == ';')) {
    script.pop_back();
  }
  std::size_t end = script.size();
  std::size_t digits = end;
  while (digits > 0 && std::isdigit(static_cast<unsigned char>(script[digits - 1]))) --digits;
  if (digits == end || end - digits > 9) return 0;
  std::size_t space = digits;
  while (space > 0 && (script[space - 1] == ' ' || script[space - 1] == '\t')) --space;
  if (space == digits || space < 4 || script.compare(space - 4, 4, "exit") != 0) return 0;
  std::size_t before = space - 4;
  if (before > 0) {
    char c = script[before - 1];
    if (!std::isspace(static_cast<unsigned char>(c)) && c != ';' && c != '&' && c != '|' && c != '(' && c != '{') {
      return 0;
    }
  }
  return static_cast<int>(std::stol(script.substr(digits, end - digits)) % 256);
}

}  // namespace

int container_exit_code(const nlohmann::json& container) {
  if (!container.is_object()) return 0;
  std::vector<std::string> argv = argv_of(container);
  if (argv.empty()) return 0;
  if (argv.size() == 1 && is_false_binary(argv.front())) return 1;
  return trailing_exit(argv.back());
}

}  // namespace gitmoor::sandbox
