#pragma once
// What can go wrong turning a tree into objects. Every message names its subject: the app path, the file (and line
// when there is one), the tool and its outcome.
#include "gitmoor/core/error.hpp"

namespace gitmoor::renderer {

// The inputs cannot be rendered: a template error, malformed YAML, a missing path. Fixing Git fixes it.
class RenderError : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

// A path from the spec (the app path, a value file, a dependency) resolves outside the repository: an absolute
// path, a `..` escape, or a symlink pointing out.
class PathEscapesRepository : public RenderError {
 public:
  using RenderError::RenderError;
};

// A limit was reached: the tool's timeout, the output cap, the object count cap.
class RenderLimitExceeded : public RenderError {
 public:
  using RenderError::RenderError;
};

}  // namespace gitmoor::renderer
