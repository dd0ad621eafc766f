// gitmoor image set: the CI step of a GitOps deploy. Writes an image tag (or any string) into one value of a YAML
// file in place, keeping comments, order and formatting, so the commit that bumps it is a one-line diff. The edit
// itself is core::set_yaml_scalars_in_file.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "gitmoor/core/yaml_edit.hpp"

namespace gitmoor::cli {

namespace {

struct ImageSetFlags {
  std::string file;
  std::vector<std::string> keys;
  std::string value;
};

int run_image_set(const ImageSetFlags& flags) {
  const auto edit = core::set_yaml_scalars_in_file(flags.file, flags.keys, flags.value);
  for (const auto& change : edit.changes) {
    std::cout << flags.file << ":" << change.line << ": " << change.key << ": ";
    if (change.changed) {
      std::cout << (change.previous.empty() ? "(empty)" : change.previous) << " -> " << flags.value << "\n";
    } else {
      std::cout << flags.value << " (unchanged)\n";
    }
  }
  return kExitOk;
}

}  // namespace

void register_image(CLI::App& app, int& exit_code) {
  auto* image = app.add_subcommand("image", "Edit image references in Git (CI)");
  image->require_subcommand(1);

  auto flags = std::make_shared<ImageSetFlags>();
  auto* set = image->add_subcommand(
      "set", "Set one value of a YAML file (an image tag in values.yaml), keeping comments and formatting");
  set->add_option("-f,--file", flags->file, "The YAML file to edit, e.g. helm/tetris/values.yaml")->required();
  set->add_option("-k,--key", flags->keys,
                  "Dotted key path of the value, e.g. image.tag or backend.image.tag (a dot inside a key: \\.); "
                  "repeat to set several keys to the same value")
      ->required()
      ->allow_extra_args(false);
  set->add_option("--value", flags->value, "The new value, written as a string (e.g. the commit SHA)")->required();
  set->callback([flags, &exit_code] { exit_code = run_image_set(*flags); });
}

}  // namespace gitmoor::cli
