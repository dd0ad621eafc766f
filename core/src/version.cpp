#include "gitmoor/core/version.hpp"

#ifndef GITMOOR_VERSION
#define GITMOOR_VERSION "0.0.0"
#endif

namespace gitmoor::core {

std::string_view version() { return GITMOOR_VERSION; }

}  // namespace gitmoor::core
