#include <catch2/catch.hpp>

#include "gitmoor/differ/text_diff.hpp"

using namespace gitmoor::differ;

namespace {
std::vector<std::string_view> lines(std::initializer_list<std::string_view> l) { return l; }

// Applying the edits to `a` must give `b`, with only Equal lines taken from both.
void check_script(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  auto edits = diff_lines(a, b);
  std::vector<std::string_view> before, after;
  for (const auto& e : edits) {
    if (e.op != LineOp::Insert) before.push_back(e.line);
    if (e.op != LineOp::Delete) after.push_back(e.line);
  }
  CHECK(before == a);
  CHECK(after == b);
}
}  // namespace

TEST_CASE("line diff is a valid shortest script", "[differ][text]") {
  check_script(lines({}), lines({}));
  check_script(lines({"a"}), lines({}));
  check_script(lines({}), lines({"a", "b"}));
  check_script(lines({"a", "b", "c", "a", "b", "b", "a"}), lines({"c", "b", "a", "b", "a", "c"}));
  auto edits = diff_lines(lines({"a", "b", "c", "a", "b", "b", "a"}), lines({"c", "b", "a", "b", "a", "c"}));
  int changed = 0;
  for (const auto& e : edits) changed += e.op != LineOp::Equal;
  CHECK(changed == 5);  // Myers' paper: D = 5 for this pair
}

TEST_CASE("unified diff has hunks with context", "[differ][text]") {
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
  std::string b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n10\n11\n12\nthirteen\n";
  auto out = unified_diff(a, b, {.before_label = "live", .after_label = "desired"});
  CHECK(out ==
        "--- live\n+++ desired\n"
        "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n"
        "@@ -10,3 +10,4 @@\n 10\n 11\n 12\n+thirteen\n");
  CHECK(unified_diff(a, a).empty());
  CHECK(unified_diff("", "x: 1\n") == "--- live\n+++ desired\n@@ -0,0 +1,1 @@\n+x: 1\n");
}
