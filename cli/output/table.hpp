#pragma once
// kubectl-like tables (Go's tabwriter with a padding of 3 spaces): every column as wide as its widest cell, the last
// column unpadded. Widths count what the terminal shows: ANSI colour sequences take no room, a UTF-8 character one.
#include <string>
#include <string_view>
#include <vector>

namespace gitmoor::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] bool empty() const { return rows_.empty(); }
  [[nodiscard]] std::string str() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Columns of display width (ANSI escapes skipped, UTF-8 code points counted once).
std::size_t display_width(std::string_view text);

}  // namespace gitmoor::cli
