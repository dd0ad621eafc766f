#include "json_path.hpp"

#include <cstdlib>

namespace gitmoor::sandbox {

struct JsonPath::Step {
  enum class Kind { Field, AllChildren, Index, Recursive, Filter } kind = Kind::Field;
  std::string name;  // Field, Recursive (empty: every node)
  long long index = 0;
  // Filter: the relative path after `@`, the operator ("" = exists) and the literal on the right.
  std::shared_ptr<const JsonPath> left;
  std::string op;
  Json literal;
};

namespace {

using Step = JsonPath::Step;

[[noreturn]] void fail(const std::string& expression, const std::string& why) {
  throw std::invalid_argument("unrecognized JSONPath " + expression + ": " + why);
}

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}

  std::vector<std::shared_ptr<const Step>> steps(bool relative) {
    std::vector<std::shared_ptr<const Step>> out;
    if (relative) {
      // A filter's left side: `@` then steps, up to the operator.
      if (peek() != '@') fail(text_, "a filter must start with @");
      ++pos_;
    }
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (relative && (c == '=' || c == '!' || c == '<' || c == '>' || c == ')' || c == ' ')) break;
      if (c == '.') {
        ++pos_;
        if (peek() == '.') {
          ++pos_;
          auto s = std::make_shared<Step>();
          s->kind = Step::Kind::Recursive;
          if (peek() == '*') {
            ++pos_;
          } else {
            s->name = name();
          }
          out.push_back(s);
          continue;
        }
        if (peek() == '*') {
          ++pos_;
          auto s = std::make_shared<Step>();
          s->kind = Step::Kind::AllChildren;
          out.push_back(s);
          continue;
        }
        if (pos_ >= text_.size() || text_[pos_] == '[') continue;  // `.` alone, or `.[0]`
        auto s = std::make_shared<Step>();
        s->name = name();
        out.push_back(s);
      } else if (c == '[') {
        out.push_back(bracket());
      } else {
        fail(text_, std::string("unexpected '") + c + "'");
      }
    }
    return out;
  }

 private:
  [[nodiscard]] char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

  // A field name up to the next `.` or `[` (a `\.` is a literal dot, as in kube's parser).
  std::string name() {
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c == '\\' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '.') {
        out += '.';
        pos_ += 2;
        continue;
      }
      if (c == '.' || c == '[' || c == '=' || c == '!' || c == '<' || c == '>' || c == ')' || c == ' ') break;
      out += c;
      ++pos_;
    }
    if (out.empty()) fail(text_, "empty field name");
    return out;
  }

  std::string quoted() {
    char quote = text_[pos_++];
    std::string out;
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
      out += text_[pos_++];
    }
    if (pos_ >= text_.size()) fail(text_, "unterminated quote");
    ++pos_;
    return out;
  }

  void skip_spaces() {
    while (peek() == ' ') ++pos_;
  }

  void expect(char c) {
    skip_spaces();
    if (peek() != c) fail(text_, std::string("expected '") + c + "'");
    ++pos_;
  }

  std::shared_ptr<const Step> bracket() {
    ++pos_;  // [
    skip_spaces();
    auto s = std::make_shared<Step>();
    char c = peek();
    if (c == '*') {
      ++pos_;
      s->kind = Step::Kind::AllChildren;
    } else if (c == '\'' || c == '"') {
      s->kind = Step::Kind::Field;
      s->name = quoted();
    } else if (c == '?') {
      ++pos_;
      expect('(');
      skip_spaces();
      s->kind = Step::Kind::Filter;
      // The relative path after `@` is parsed by the same step parser.
      Parser inner(text_);
      inner.pos_ = pos_;
      auto steps = inner.steps(true);
      pos_ = inner.pos_;
      s->left = std::make_shared<const JsonPath>(std::move(steps));
      skip_spaces();
      static const char* ops[] = {"==", "!=", "<=", ">=", "<", ">"};
      for (const char* op : ops) {
        if (text_.compare(pos_, std::string(op).size(), op) == 0) {
          s->op = op;
          pos_ += s->op.size();
          break;
        }
      }
      if (!s->op.empty()) {
        skip_spaces();
        s->literal = literal();
      }
      expect(')');
    } else {
      std::size_t start = pos_;
      if (peek() == '-') ++pos_;
      while (peek() >= '0' && peek() <= '9') ++pos_;
      if (start == pos_ || (pos_ == start + 1 && text_[start] == '-')) fail(text_, "unsupported subscript");
      s->kind = Step::Kind::Index;
      s->index = std::strtoll(text_.substr(start, pos_ - start).c_str(), nullptr, 10);
    }
    expect(']');
    return s;
  }

  Json literal() {
    char c = peek();
    if (c == '\'' || c == '"') return quoted();
    std::size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != ')' && text_[pos_] != ' ') ++pos_;
    std::string word = text_.substr(start, pos_ - start);
    if (word == "true") return true;
    if (word == "false") return false;
    char* end = nullptr;
    double v = std::strtod(word.c_str(), &end);
    if (word.empty() || end != word.c_str() + word.size()) fail(text_, "unsupported literal " + word);
    return v;
  }

  const std::string& text_;
  std::size_t pos_ = 0;
};

// Compares a selected value with a filter literal: numbers as numbers, strings as strings, booleans for (in)equality.
bool compare(const Json& value, const std::string& op, const Json& literal) {
  int order = 0;
  if (value.is_number() && literal.is_number()) {
    double a = value.get<double>();
    double b = literal.get<double>();
    order = a < b ? -1 : a > b ? 1 : 0;
  } else if (value.is_string() && literal.is_string()) {
    order = value.get_ref<const std::string&>().compare(literal.get_ref<const std::string&>());
  } else if (value.is_boolean() && literal.is_boolean()) {
    if (op != "==" && op != "!=") return false;
    order = value == literal ? 0 : 1;
  } else {
    return op == "!=";
  }
  if (op == "==") return order == 0;
  if (op == "!=") return order != 0;
  if (op == "<") return order < 0;
  if (op == "<=") return order <= 0;
  if (op == ">") return order > 0;
  return order >= 0;
}

void descendants(const Json& node, const std::string& name, std::vector<const Json*>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (name.empty() || it.key() == name) out.push_back(&*it);
    }
    for (const auto& child : node) descendants(child, name, out);
  } else if (node.is_array()) {
    for (const auto& child : node) {
      if (name.empty()) out.push_back(&child);
      descendants(child, name, out);
    }
  }
}

}  // namespace

JsonPath JsonPath::parse(const std::string& expression) {
  std::string text = expression;
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() >= 2 && text.front() == '{' && text.back() == '}') text = text.substr(1, text.size() - 2);
  if (text.empty() || (text[0] != '.' && text[0] != '[')) fail(expression, "must start with '.'");
  Parser parser(text);
  return JsonPath(parser.steps(false));
}

std::vector<const Json*> JsonPath::find(const Json& root) const {
  std::vector<const Json*> nodes{&root};
  for (const auto& step : steps_) {
    std::vector<const Json*> next;
    for (const Json* node : nodes) {
      switch (step->kind) {
        case Step::Kind::Field:
          if (node->is_object()) {
            auto it = node->find(step->name);
            if (it != node->end()) next.push_back(&*it);
          }
          break;
        case Step::Kind::AllChildren:
          if (node->is_object() || node->is_array()) {
            for (const auto& child : *node) next.push_back(&child);
          }
          break;
        case Step::Kind::Index:
          if (node->is_array()) {
            long long size = static_cast<long long>(node->size());
            long long i = step->index < 0 ? size + step->index : step->index;
            if (i >= 0 && i < size) next.push_back(&(*node)[static_cast<std::size_t>(i)]);
          }
          break;
        case Step::Kind::Recursive:
          descendants(*node, step->name, next);
          break;
        case Step::Kind::Filter:
          if (node->is_array()) {
            for (const auto& item : *node) {
              auto found = step->left->find(item);
              bool keep = step->op.empty() ? !found.empty()
                                           : !found.empty() && compare(*found.front(), step->op, step->literal);
              if (keep) next.push_back(&item);
            }
          }
          break;
      }
    }
    nodes = std::move(next);
    if (nodes.empty()) break;
  }
  return nodes;
}

}  // namespace gitmoor::sandbox
