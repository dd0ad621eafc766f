// Aligned tables; see table.hpp.
#include "output/table.hpp"

#include <algorithm>

namespace gitmoor::cli {

namespace {
constexpr std::size_t kPadding = 3;
}

std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0x1b && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && !(text[i] >= '@' && text[i] <= '~')) ++i;  // up to the final byte
      continue;
    }
    if ((c & 0xC0) != 0x80) ++width;  // not a UTF-8 continuation byte
  }
  return width;
}

std::string Table::str() const {
  std::size_t columns = header_.size();
  for (const auto& row : rows_) columns = std::max(columns, row.size());
  std::vector<std::size_t> widths(columns, 0);
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
  };
  measure(header_);
  for (const auto& row : rows_) measure(row);

  std::string out;
  const auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < columns; ++i) {
      const std::string& cell = i < row.size() ? row[i] : std::string();
      line += cell;
      if (i + 1 < columns) line.append(widths[i] - display_width(cell) + kPadding, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();  // tabwriter leaves no trailing blanks either
    out += line;
    out += '\n';
  };
  if (!header_.empty()) print(header_);
  for (const auto& row : rows_) print(row);
  return out;
}

}  // namespace gitmoor::cli
