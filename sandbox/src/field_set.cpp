#include "field_set.hpp"

namespace gitmoor::sandbox {

Json FieldSet::to_json() const {
  Json out = Json::object();
  if (member && !children.empty()) out["."] = Json::object();
  for (const auto& [k, child] : children) out[k] = child.to_json();
  return out;
}

FieldSet FieldSet::from_json(const Json& fields_v1) {
  FieldSet set;
  if (!fields_v1.is_object()) return set;
  for (const auto& [k, v] : fields_v1.items()) {
    if (k == ".") {
      set.member = true;
      continue;
    }
    FieldSet child = from_json(v);
    if (v.is_object() && v.empty()) child.member = true;
    set.children[k] = std::move(child);
  }
  return set;
}

void FieldSet::add(const FieldPath& path) {
  FieldSet* n = this;
  for (const auto& e : path) n = &n->children[e];
  n->member = true;
}

const FieldSet* FieldSet::node(const FieldPath& path) const {
  const FieldSet* n = this;
  for (const auto& e : path) {
    auto it = n->children.find(e);
    if (it == n->children.end()) return nullptr;
    n = &it->second;
  }
  return n;
}

bool FieldSet::has(const FieldPath& path) const {
  const FieldSet* n = node(path);
  return n && n->member;
}

bool FieldSet::owns_at_or_below(const FieldPath& path) const {
  const FieldSet* n = node(path);
  return n && !n->empty();
}

void FieldSet::merge(const FieldSet& other) {
  member = member || other.member;
  for (const auto& [k, child] : other.children) children[k].merge(child);
}

void FieldSet::remove(const FieldSet& other) {
  if (other.member) member = false;
  for (const auto& [k, child] : other.children) {
    auto it = children.find(k);
    if (it == children.end()) continue;
    it->second.remove(child);
    if (it->second.empty()) children.erase(it);
  }
}

void FieldSet::remove(const FieldPath& path) {
  FieldSet single;
  single.add(path);
  remove(single);
}

static void collect(const FieldSet& set, FieldPath& prefix, std::vector<FieldPath>& out) {
  if (set.member && !prefix.empty()) out.push_back(prefix);
  for (const auto& [k, child] : set.children) {
    prefix.push_back(k);
    collect(child, prefix, out);
    prefix.pop_back();
  }
}

std::vector<FieldPath> FieldSet::members() const {
  std::vector<FieldPath> out;
  FieldPath prefix;
  collect(*this, prefix, out);
  return out;
}

namespace {

bool key_matches(const Json& item, const Json& key) {
  if (!item.is_object() || !key.is_object()) return false;
  for (const auto& [k, v] : key.items()) {
    auto it = item.find(k);
    if (it == item.end()) {
      // An entry whose protocol was not given is keyed with the default the server gives it.
      if (k == "protocol" && v == "TCP") continue;
      return false;
    }
    if (*it != v) return false;
  }
  return true;
}

// Index of the element a path element names inside an array, or -1.
long find_in_array(const Json& array, const std::string& element) {
  if (!array.is_array() || element.size() < 2) return -1;
  std::string rest = element.substr(2);
  if (element[0] == 'i') {
    try {
      long i = std::stol(rest);
      return i >= 0 && static_cast<std::size_t>(i) < array.size() ? i : -1;
    } catch (const std::exception&) {
      return -1;
    }
  }
  Json wanted = Json::parse(rest, nullptr, false);
  if (wanted.is_discarded()) return -1;
  for (std::size_t i = 0; i < array.size(); ++i) {
    if (element[0] == 'k' ? key_matches(array[i], wanted) : array[i] == wanted) return static_cast<long>(i);
  }
  return -1;
}

}  // namespace

const Json* value_at(const Json& object, const FieldPath& path) {
  const Json* v = &object;
  for (const auto& e : path) {
    if (e.rfind("f:", 0) == 0) {
      if (!v->is_object()) return nullptr;
      auto it = v->find(e.substr(2));
      if (it == v->end()) return nullptr;
      v = &*it;
    } else {
      long i = find_in_array(*v, e);
      if (i < 0) return nullptr;
      v = &(*v)[static_cast<std::size_t>(i)];
    }
  }
  return v;
}

bool remove_at(Json& object, const FieldPath& path) {
  if (path.empty()) return false;
  FieldPath parent_path(path.begin(), path.end() - 1);
  Json* parent = const_cast<Json*>(value_at(object, parent_path));
  if (!parent) return false;
  const std::string& last = path.back();
  if (last.rfind("f:", 0) == 0) {
    return parent->is_object() && parent->erase(last.substr(2)) > 0;
  }
  long i = find_in_array(*parent, last);
  if (i < 0) return false;
  parent->erase(static_cast<std::size_t>(i));
  return true;
}

std::string path_string(const FieldPath& path) {
  std::string out;
  for (const auto& e : path) {
    std::string rest = e.size() > 2 ? e.substr(2) : "";
    if (e.rfind("f:", 0) == 0) {
      out += "." + rest;
    } else if (e.rfind("k:", 0) == 0) {
      Json key = Json::parse(rest, nullptr, false);
      out += "[";
      bool first = true;
      if (key.is_object()) {
        for (const auto& [k, v] : key.items()) {
          out += (first ? "" : ",") + k + "=" + v.dump();
          first = false;
        }
      }
      out += "]";
    } else if (e.rfind("v:", 0) == 0) {
      out += "[=" + rest + "]";
    } else {
      out += "[" + rest + "]";
    }
  }
  return out;
}

}  // namespace gitmoor::sandbox
