#include "gitmoor/differ/text_diff.hpp"

#include <algorithm>

namespace gitmoor::differ {

namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

std::vector<LineEdit> diff_lines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  // Myers' greedy algorithm with one V array saved per step d, then a backtrack through the saved arrays.
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  const int max = n + m;
  const int offset = max + 1;
  std::vector<int> v(2 * static_cast<std::size_t>(max) + 3, 0);
  std::vector<std::vector<int>> trace;
  int found_d = -1;
  for (int d = 0; d <= max && found_d < 0; ++d) {
    trace.push_back(v);
    for (int k = -d; k <= d; k += 2) {
      int x;
      if (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) {
        x = v[offset + k + 1];  // down: an insertion
      } else {
        x = v[offset + k - 1] + 1;  // right: a deletion
      }
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) {
        ++x;
        ++y;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
  }
  std::vector<LineEdit> edits;
  int x = n;
  int y = m;
  for (int d = found_d; d > 0; --d) {
    const std::vector<int>& vd = trace[d];
    const int k = x - y;
    int prev_k;
    if (k == -d || (k != d && vd[offset + k - 1] < vd[offset + k + 1])) {
      prev_k = k + 1;
    } else {
      prev_k = k - 1;
    }
    const int prev_x = vd[offset + prev_k];
    const int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      edits.push_back({LineOp::Equal, a[--x]});
      --y;
    }
    if (x == prev_x) {
      edits.push_back({LineOp::Insert, b[--y]});
    } else {
      edits.push_back({LineOp::Delete, a[--x]});
    }
  }
  while (x > 0 && y > 0) {
    edits.push_back({LineOp::Equal, a[--x]});
    --y;
  }
  std::reverse(edits.begin(), edits.end());
  return edits;
}

std::string unified_diff(std::string_view before, std::string_view after, const UnifiedOptions& options) {
  const auto a = split_lines(before);
  const auto b = split_lines(after);
  const auto edits = diff_lines(a, b);
  if (std::all_of(edits.begin(), edits.end(), [](const LineEdit& e) { return e.op == LineOp::Equal; })) return "";

  std::string out = "--- " + options.before_label + "\n+++ " + options.after_label + "\n";
  const int total = static_cast<int>(edits.size());
  const int context = std::max(0, options.context);
  int i = 0;
  // Line numbers (1-based) of edits[i] in a and b.
  std::vector<int> line_a(edits.size() + 1), line_b(edits.size() + 1);
  {
    int la = 1, lb = 1;
    for (int j = 0; j < total; ++j) {
      line_a[j] = la;
      line_b[j] = lb;
      if (edits[j].op != LineOp::Insert) ++la;
      if (edits[j].op != LineOp::Delete) ++lb;
    }
    line_a[total] = la;
    line_b[total] = lb;
  }
  while (i < total) {
    while (i < total && edits[i].op == LineOp::Equal) ++i;
    if (i >= total) break;
    int start = std::max(0, i - context);
    int end = i;
    // Extend the hunk while the next change is within 2*context equal lines.
    while (end < total) {
      if (edits[end].op != LineOp::Equal) {
        ++end;
        continue;
      }
      int run = end;
      while (run < total && edits[run].op == LineOp::Equal) ++run;
      if (run >= total || run - end > 2 * context) {
        end = std::min(total, end + context);
        break;
      }
      end = run;
    }
    int count_a = 0, count_b = 0;
    for (int j = start; j < end; ++j) {
      if (edits[j].op != LineOp::Insert) ++count_a;
      if (edits[j].op != LineOp::Delete) ++count_b;
    }
    out += "@@ -" + std::to_string(count_a ? line_a[start] : line_a[start] - 1) + "," + std::to_string(count_a) +
           " +" + std::to_string(count_b ? line_b[start] : line_b[start] - 1) + "," + std::to_string(count_b) +
           " @@\n";
    for (int j = start; j < end; ++j) {
      out += edits[j].op == LineOp::Equal ? ' ' : edits[j].op == LineOp::Insert ? '+' : '-';
      out += edits[j].line;
      out += '\n';
    }
    i = end;
  }
  return out;
}

}  // namespace gitmoor::differ
