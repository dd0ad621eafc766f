#pragma once
// Output snapshots under tests/testdata/<relative>: a test compares what a command printed with the checked-in
// text. GITMOOR_UPDATE_SNAPSHOTS=1 rewrites the files instead (review the diff before committing).
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "test_paths.hpp"

namespace gitmoor::test {

// The snapshot's text, or "<missing snapshot ...>" so the comparison fails naming the file. Updates it first when
// GITMOOR_UPDATE_SNAPSHOTS is set.
inline std::string snapshot(const std::string& relative, const std::string& actual) {
  const auto path = testdata_dir() / relative;
  if (const char* update = std::getenv("GITMOOR_UPDATE_SNAPSHOTS"); update != nullptr && *update != '\0') {
    std::ofstream(path, std::ios::binary) << actual;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing snapshot " + path.string() + ">";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace gitmoor::test
