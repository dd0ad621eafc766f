#pragma once
// A line diff (Myers' O(ND) algorithm) and unified output, like `diff -u` and `kubectl diff`.
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::differ {

enum class LineOp { Equal, Insert, Delete };

struct LineEdit {
  LineOp op;
  std::string_view line;
};

// The shortest edit script turning `before` into `after`.
std::vector<LineEdit> diff_lines(const std::vector<std::string_view>& before,
                                 const std::vector<std::string_view>& after);

struct UnifiedOptions {
  std::string before_label = "live";
  std::string after_label = "desired";
  int context = 3;
};

// `--- a` / `+++ b` / `@@ -l,n +l,n @@` hunks; "" when the texts are equal.
std::string unified_diff(std::string_view before, std::string_view after, const UnifiedOptions& options = {});

}  // namespace gitmoor::differ
