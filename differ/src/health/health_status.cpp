#include <cctype>

#include "health_kinds.hpp"

namespace gitmoor::differ::health {

const Json* at(const Json& object, std::string_view path) {
  const Json* node = &object;
  std::size_t start = 0;
  while (start <= path.size()) {
    auto end = path.find('.', start);
    if (end == std::string_view::npos) end = path.size();
    if (!node->is_object()) return nullptr;
    auto it = node->find(std::string(path.substr(start, end - start)));
    if (it == node->end() || it->is_null()) return nullptr;
    node = &*it;
    start = end + 1;
  }
  return node;
}

const Json* condition(const Json& object, std::string_view type) {
  const Json* conditions = at(object, "status.conditions");
  if (conditions == nullptr || !conditions->is_array()) return nullptr;
  for (const auto& c : *conditions) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

bool condition_is(const Json& object, std::string_view type, std::string_view status) {
  const Json* c = condition(object, type);
  return c != nullptr && c->value("status", "") == status;
}

std::string condition_text(const Json* c, std::string_view field) {
  if (c == nullptr) return "";
  return c->value(std::string(field), "");
}

std::string condition_message(const Json* c, std::string_view fallback) {
  std::string message = condition_text(c, "message");
  if (message.empty()) message = condition_text(c, "reason");
  return message.empty() ? std::string(fallback) : message;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::int64_t integer(const Json& object, std::string_view path, std::int64_t fallback) {
  const Json* value = at(object, path);
  if (value == nullptr || !value->is_number()) return fallback;
  return value->get<std::int64_t>();
}

std::string text(const Json& object, std::string_view path) {
  const Json* value = at(object, path);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

bool flag(const Json& object, std::string_view path) {
  const Json* value = at(object, path);
  return value != nullptr && value->is_boolean() && value->get<bool>();
}

bool has(const Json& object, std::string_view path) { return at(object, path) != nullptr; }

bool generation_observed(const Json& object) {
  if (!has(object, "metadata.generation") || !has(object, "status.observedGeneration")) {
    return !has(object, "metadata.generation") || has(object, "status");
  }
  return integer(object, "status.observedGeneration") >= integer(object, "metadata.generation");
}

}  // namespace gitmoor::differ::health
