#pragma once
// Paths the build passes to every test: the source tree, the fixtures, and the gitmoor binary under test.
#include <filesystem>

namespace gitmoor::test {

inline std::filesystem::path source_dir() { return GITMOOR_SOURCE_DIR; }
inline std::filesystem::path testdata_dir() { return GITMOOR_TESTDATA_DIR; }
inline std::filesystem::path gitmoor_binary() { return GITMOOR_BINARY; }

}  // namespace gitmoor::test
