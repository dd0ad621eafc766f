#pragma once
#include <string_view>

namespace gitmoor::core {

// The gitmoor release, from the CMake project version.
std::string_view version();

}  // namespace gitmoor::core
