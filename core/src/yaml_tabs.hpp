#pragma once
// go-yaml rejects tabs used as indentation ("found character that cannot start any token"); yaml-cpp 0.7 accepts
// some of them or fails with a confusing message. This scan finds them first, so that gitmoor rejects what kubectl
// rejects, naming the tab's position. It is a light line scanner, not a YAML parser: it tracks just enough
// (quoted scalars, flow collections, block scalars, comments) to know where a tab is content and where indentation.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gitmoor::core::yaml_tabs {

struct TabProblem {
  std::size_t line;    // 1-based
  std::size_t column;  // 1-based
  std::string message;
};

class Scanner {
 public:
  std::optional<TabProblem> scan(std::string_view text) {
    std::size_t line_no = 0;
    for (std::size_t start = 0; start <= text.size(); ++line_no) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (auto problem = scan_line(line, line_no + 1)) return problem;
      start = end + 1;
    }
    return std::nullopt;
  }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\t'; }

  static std::size_t leading_spaces(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && line[n] == ' ') ++n;
    return n;
  }

  std::optional<TabProblem> scan_line(std::string_view line, std::size_t line_no) {
    if (in_block_) {
      std::size_t n = leading_spaces(line);
      bool blank = line.find_first_not_of(" \t") == std::string_view::npos;
      // go-yaml eats indentation spaces before deciding whether the block goes on, so a tab there is an error.
      if (n < line.size() && line[n] == '\t' && (block_indent_ == 0 || n < block_indent_)) {
        return TabProblem{line_no, n + 1, "found a tab character where an indentation space is expected"};
      }
      if (blank || n > block_parent_indent_) {
        if (!blank && block_indent_ == 0) block_indent_ = n;
        return std::nullopt;
      }
      in_block_ = false;  // a less indented line ends the block scalar
    }
    std::size_t pos = 0;
    if (quote_ == 0 && flow_depth_ == 0) {
      if (auto problem = check_indentation(line, line_no, pos)) return problem;
    }
    scan_tokens(line, pos);
    return std::nullopt;
  }

  // Block context: indentation (and `- ` sequence entries) must be spaces.
  static std::optional<TabProblem> check_indentation(std::string_view line, std::size_t line_no, std::size_t& pos) {
    while (pos < line.size()) {
      if (line[pos] == ' ') {
        ++pos;
      } else if (line[pos] == '-' && (pos + 1 == line.size() || is_blank(line[pos + 1]))) {
        ++pos;
      } else if (line[pos] == '\t') {
        std::size_t content = line.find_first_not_of(" \t", pos);
        bool nothing = content == std::string_view::npos || line[content] == '#';
        return TabProblem{line_no, pos + 1,
                          nothing ? "found a tab character that violates indentation"
                                  : "found character that cannot start any token"};
      } else {
        break;
      }
    }
    return std::nullopt;
  }

  void scan_tokens(std::string_view line, std::size_t pos) {
    bool node_start = true;  // a quote, flow collection or block indicator may begin here
    bool after_blank = true;
    for (std::size_t i = pos; i < line.size(); ++i) {
      char c = line[i];
      char next = i + 1 < line.size() ? line[i + 1] : ' ';
      if (quote_ != 0) {
        if (quote_ == '"' && c == '\\') {
          ++i;
        } else if (c == quote_) {
          if (quote_ == '\'' && next == '\'') {
            ++i;
          } else {
            quote_ = 0;
            node_start = false;
          }
        }
        after_blank = false;
        continue;
      }
      if (is_blank(c)) {
        after_blank = true;
        continue;
      }
      if (c == '#' && after_blank) return;  // a comment
      after_blank = false;
      if (node_start && (c == '"' || c == '\'')) {
        quote_ = c;
      } else if ((c == '[' || c == '{') && (node_start || flow_depth_ > 0)) {
        ++flow_depth_;
        node_start = true;
      } else if ((c == ']' || c == '}') && flow_depth_ > 0) {
        --flow_depth_;
        node_start = false;
      } else if (c == ',' && flow_depth_ > 0) {
        node_start = true;
      } else if (c == ':' && (is_blank(next) || flow_depth_ > 0)) {
        node_start = true;
      } else if ((c == '-' || c == '?') && node_start && is_blank(next)) {
        node_start = true;
      } else if ((c == '!' || c == '&') && node_start) {
        while (i + 1 < line.size() && !is_blank(line[i + 1])) ++i;  // a tag or anchor; the node follows
      } else if ((c == '|' || c == '>') && node_start && flow_depth_ == 0) {
        start_block_scalar(line, i);
        return;
      } else {
        node_start = false;
      }
    }
  }

  // `|`, `>-`, `|2+` ...: the following more-indented lines are content, where tabs are text.
  void start_block_scalar(std::string_view line, std::size_t indicator) {
    std::size_t explicit_indent = 0;
    std::size_t i = indicator + 1;
    for (; i < line.size() && !is_blank(line[i]); ++i) {
      if (line[i] >= '1' && line[i] <= '9') explicit_indent = static_cast<std::size_t>(line[i] - '0');
    }
    in_block_ = true;
    block_parent_indent_ = leading_spaces(line);
    block_indent_ = explicit_indent == 0 ? 0 : block_parent_indent_ + explicit_indent;
  }

  char quote_ = 0;
  int flow_depth_ = 0;
  bool in_block_ = false;
  std::size_t block_parent_indent_ = 0;
  std::size_t block_indent_ = 0;  // 0 until the first content line sets it
};

inline std::optional<TabProblem> find_misplaced_tab(std::string_view text) { return Scanner().scan(text); }

}  // namespace gitmoor::core::yaml_tabs
