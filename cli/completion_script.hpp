#pragma once
// Shell completion for `gitmoor completion bash|zsh`. CLI11 has no generator, so this walks the CLI11 App tree: each
// command path ("gitmoor/app/sync") gets its subcommands and its flags (the path's own and its parents'
// fall-through ones), and a small shell function walks the words typed so far to find the path.
#include <string>

#include <CLI/CLI.hpp>

namespace gitmoor::cli {

std::string bash_completion(const CLI::App& root);
std::string zsh_completion(const CLI::App& root);

}  // namespace gitmoor::cli
