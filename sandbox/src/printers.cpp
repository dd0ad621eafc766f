#include "printers.hpp"

#include "timestamps.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdio>
#include <ctime>

#include "json_path.hpp"
#include "printers_builtin.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Go's fmt %v of a JSON number, as client-go's jsonpath prints it: integers as they are, floats in Go's shortest
// form with an exponent from 1e+06 or below 1e-04 (1.5, 3, 1e+06, 1.0000005e+06).
std::string go_number(const Json& v) {
  if (v.is_number_integer()) return v.dump();
  double d = v.get<double>();
  if (!std::isfinite(d)) return std::isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  int digits = 1;
  for (; digits < 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::snprintf(buf, sizeof buf, "%.*e", digits - 1, d);
  int exponent = std::atoi(std::strchr(buf, 'e') + 1);
  if (exponent < -4 || exponent >= 6) return buf;
  std::snprintf(buf, sizeof buf, "%.*f", std::max(digits - 1 - exponent, 0), d);
  return buf;
}

// The cell of a CRD column, as apiextensions-apiserver's table convertor makes it from the first value found.
Json crd_cell(const std::string& type, const Json& value, Clock::time_point now) {
  if (value.is_null()) return nullptr;
  if (type == "string") {
    // jsonpath's PrintResults: strings raw, maps and arrays as compact JSON, the rest with %v.
    if (value.is_string()) return value;
    if (value.is_object() || value.is_array()) return value.dump();
    if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
    if (value.is_number()) return go_number(value);
    return nullptr;
  }
  if (type == "integer") {
    if (value.is_number_integer()) return value;
    if (value.is_number_float()) return static_cast<long long>(value.get<double>());
    return nullptr;
  }
  if (type == "number") {
    if (value.is_number()) return value.get<double>();
    return nullptr;
  }
  if (type == "boolean") {
    if (value.is_boolean()) return value;
    return nullptr;
  }
  if (type == "date") {
    if (!value.is_string()) return nullptr;
    auto t = parse_time(value.get<std::string>());
    if (!t) return "<invalid>";
    return human_duration(now - *t);
  }
  return nullptr;
}

const std::string kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow "
    "a client to request the generation of an appropriate name automatically. Name is primarily intended for "
    "creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const std::string kCreationTimestampDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is "
    "represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

std::string object_name(const Json& object) {
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return "";
  auto n = md->find("name");
  return n != md->end() && n->is_string() ? n->get<std::string>() : "";
}

// rest.NewDefaultTableConvertor: what kube-apiserver prints for a type without a printer.
TablePrinter default_printer() {
  TablePrinter p;
  p.columns = {{"Name", "string", "name", kNameDescription, 0},
               {"Created At", "date", "", kCreationTimestampDescription, 0}};
  p.cells = [](const Json& object, Clock::time_point) {
    std::string created = "0001-01-01T00:00:00Z";
    const Json& md = object.contains("metadata") ? object["metadata"] : Json::object();
    if (md.is_object() && md.contains("creationTimestamp") && md["creationTimestamp"].is_string()) {
      if (auto t = parse_time(md["creationTimestamp"].get<std::string>())) created = format_rfc3339(*t);
    }
    return Json::array({object_name(object), created});
  };
  return p;
}

// apiextensions-apiserver's table convertor: Name, then the version's additionalPrinterColumns (or Age when it has
// none). A column whose JSONPath does not parse makes kube fall back to the default table.
TablePrinter crd_printer(const Json& crd, const std::string& version) {
  Json columns = Json::array();
  const Json& spec = crd.contains("spec") && crd["spec"].is_object() ? crd["spec"] : Json::object();
  if (spec.contains("versions") && spec["versions"].is_array()) {
    for (const auto& v : spec["versions"]) {
      if (v.is_object() && v.contains("name") && v["name"] == version && v.contains("additionalPrinterColumns") &&
          v["additionalPrinterColumns"].is_array()) {
        columns = v["additionalPrinterColumns"];
      }
    }
  }
  if (columns.empty() && spec.contains("additionalPrinterColumns") && spec["additionalPrinterColumns"].is_array()) {
    columns = spec["additionalPrinterColumns"];  // apiextensions v1beta1's CRD-wide columns
  }
  if (columns.empty()) {
    columns = Json::array({{{"name", "Age"},
                            {"type", "date"},
                            {"description", kCreationTimestampDescription},
                            {"jsonPath", ".metadata.creationTimestamp"}}});
  }
  // A field of a column definition; kube's CRD validation guarantees strings, the sandbox does not validate.
  auto text = [](const Json& c, const char* key, const std::string& fallback) {
    auto it = c.find(key);
    return it != c.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  TablePrinter p;
  p.columns.push_back({"Name", "string", "name", kNameDescription, 0});
  auto paths = std::make_shared<std::vector<std::pair<std::string, JsonPath>>>();
  for (const auto& c : columns) {
    if (!c.is_object()) continue;
    std::string json_path = text(c, "jsonPath", text(c, "JSONPath", ""));
    std::string type = text(c, "type", "string");
    try {
      paths->emplace_back(type, JsonPath::parse(json_path));
    } catch (const std::invalid_argument&) {
      return default_printer();
    }
    std::string description = text(c, "description", "");
    if (description.empty()) description = "Custom resource definition column (in JSONPath format): " + json_path;
    int priority = c.contains("priority") && c["priority"].is_number() ? c["priority"].get<int>() : 0;
    p.columns.push_back({text(c, "name", ""), type, text(c, "format", ""), description, priority});
  }
  p.cells = [paths](const Json& object, Clock::time_point now) {
    Json cells = Json::array({object_name(object)});
    for (const auto& [type, path] : *paths) {
      auto found = path.find(object);
      cells.push_back(found.empty() ? Json(nullptr) : crd_cell(type, *found.front(), now));
    }
    return cells;
  };
  return p;
}

Json column_definitions(const TablePrinter& printer) {
  Json out = Json::array();
  for (const auto& c : printer.columns) {
    out.push_back({{"name", c.name},
                   {"type", c.type},
                   {"format", c.format},
                   {"description", c.description},
                   {"priority", c.priority}});
  }
  return out;
}

Json row(const TablePrinter& printer, const Json& object, const TableOptions& options) {
  Json r{{"cells", printer.cells(object, options.now)}};
  if (printer.conditions) {
    Json conditions = printer.conditions(object);
    if (!conditions.is_null()) r["conditions"] = std::move(conditions);
  }
  switch (options.include) {
    case IncludeObject::Metadata:
      r["object"] = {{"kind", "PartialObjectMetadata"},
                     {"apiVersion", "meta.k8s.io/v1"},
                     {"metadata", object.contains("metadata") ? object["metadata"] : Json::object()}};
      break;
    case IncludeObject::Object:
      r["object"] = object;
      if (!options.api_version.empty()) r["object"]["apiVersion"] = options.api_version;
      break;
    case IncludeObject::None:
      r["object"] = nullptr;
      break;
  }
  return r;
}

}  // namespace

bool accepts_table(const std::string& accept) {
  std::size_t start = 0;
  while (start <= accept.size()) {
    std::size_t comma = accept.find(',', start);
    std::string item = accept.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? accept.size() + 1 : comma + 1;
    std::size_t semi = item.find(';');
    std::string media = lower(trim(item.substr(0, semi)));
    std::string as, v, g;
    while (semi != std::string::npos) {
      std::size_t next = item.find(';', semi + 1);
      std::string param = item.substr(semi + 1, next == std::string::npos ? std::string::npos : next - semi - 1);
      semi = next;
      std::size_t eq = param.find('=');
      if (eq == std::string::npos) continue;
      std::string key = lower(trim(param.substr(0, eq)));
      std::string value = trim(param.substr(eq + 1));
      if (key == "as") as = value;
      if (key == "v") v = value;
      if (key == "g") g = value;
    }
    if (media != "application/json" && media != "*/*" && media != "application/*") continue;
    if (as.empty()) return false;  // plain JSON comes first
    if (as == "Table" && v == "v1" && g == "meta.k8s.io") return true;
    // Table v1beta1, PartialObjectMetadata...: not served here; try the next alternative.
  }
  return false;
}

IncludeObject parse_include_object(const std::string& value) {
  if (value.empty() || value == "Metadata") return IncludeObject::Metadata;
  if (value == "Object") return IncludeObject::Object;
  if (value == "None") return IncludeObject::None;
  throw bad_request("unrecognized includeObject value: \"" + value + "\"");
}

TablePrinter printer_for(const ResourceType& type, const std::string& version, const Json* crd) {
  if (type.custom) return crd ? crd_printer(*crd, version) : default_printer();
  if (const TablePrinter* p = builtin_printer(type.group, type.kind)) return *p;
  return default_printer();
}

Json make_table(const TablePrinter& printer, const std::vector<const Json*>& objects, Json list_metadata,
                const TableOptions& options) {
  Json rows = Json::array();
  for (const Json* o : objects) rows.push_back(row(printer, *o, options));
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", std::move(list_metadata)},
          {"columnDefinitions", options.headers ? column_definitions(printer) : Json(nullptr)},
          {"rows", std::move(rows)}};
}

std::string TableEventEncoder::operator()(EventType type, const Json& object) {
  TableOptions options = options_;
  options.now = Clock::now();
  Json metadata = Json::object();
  if (object.contains("metadata") && object["metadata"].is_object() &&
      object["metadata"].contains("resourceVersion")) {
    metadata["resourceVersion"] = object["metadata"]["resourceVersion"];
  }
  Json table = make_table(printer_, {&object}, std::move(metadata), options);
  options_.headers = false;  // kube-apiserver sends the column definitions with the first event only
  std::string line = "{\"type\":\"";
  line += event_type_name(type);
  line += "\",\"object\":";
  line += table.dump();
  line += "}\n";
  return line;
}

std::string human_duration(Clock::duration d) {
  auto seconds_total = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (seconds_total < -1) return "<invalid>";
  if (seconds_total < 0) return "0s";
  if (seconds_total < 60 * 2) return std::to_string(seconds_total) + "s";
  long long minutes = seconds_total / 60;
  if (minutes < 10) {
    long long s = seconds_total % 60;
    if (s == 0) return std::to_string(minutes) + "m";
    return std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  long long hours = seconds_total / 3600;
  if (hours < 8) {
    long long m = minutes % 60;
    if (m == 0) return std::to_string(hours) + "h";
    return std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    long long h = hours % 24;
    if (h == 0) return std::to_string(hours / 24) + "d";
    return std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    long long dy = (hours / 24) % 365;
    if (dy == 0) return std::to_string(hours / 24 / 365) + "y";
    return std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

std::optional<Clock::time_point> parse_time(const std::string& text) { return parse_rfc3339(text); }

}  // namespace gitmoor::sandbox
