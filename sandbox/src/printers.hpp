#pragma once
// Server-side printing: the meta.k8s.io/v1 Table kube-apiserver answers when a GET asks for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what kubectl get sends). Columns, their order and
// priorities, and the cells follow kube's printers (pkg/printers/internalversion/printers.go); like kube-apiserver,
// the server always prints the wide columns (priority 1) and kubectl hides them without -o wide. Custom resources
// get their CRD's additionalPrinterColumns; types without a printer get kube's default table (Name, Created At).
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry.hpp"
#include "store.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;
using Clock = std::chrono::system_clock;

struct TableColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string format;  // "name" for the object's name column
  std::string description;
  int priority = 0;  // 1 and above: shown by kubectl only with -o wide
};

struct TablePrinter {
  std::vector<TableColumn> columns;
  // The cells of one object's row, one per column, at time `now` (ages are relative to it).
  std::function<Json(const Json& object, Clock::time_point now)> cells;
  // The row's conditions (kube marks finished Pods Completed); null for none.
  std::function<Json(const Json& object)> conditions;
};

// What row.object holds (the includeObject query parameter).
enum class IncludeObject { Metadata, Object, None };

// Whether an Accept header asks for a meta.k8s.io/v1 Table (before any media type that means plain JSON).
bool accepts_table(const std::string& accept);
// Parses includeObject ("" is Metadata); throws a 400 ApiError for another value, as kube does.
IncludeObject parse_include_object(const std::string& value);

// The printer kube-apiserver uses for objects of `type` served in `version`. `crd` is the CustomResourceDefinition
// that serves a custom type (its additionalPrinterColumns for that version); null for built-in types.
TablePrinter printer_for(const ResourceType& type, const std::string& version, const Json* crd);

struct TableOptions {
  IncludeObject include = IncludeObject::Metadata;
  std::string api_version;  // row objects are shown in this apiVersion (IncludeObject::Object)
  bool headers = true;      // false: columnDefinitions is null (watch events after the first)
  Clock::time_point now = Clock::now();
};

// A Table of `objects`; `list_metadata` becomes its metadata (resourceVersion, continue, remainingItemCount).
Json make_table(const TablePrinter& printer, const std::vector<const Json*>& objects, Json list_metadata,
                const TableOptions& options);

// Encodes watch events as kube-apiserver does for a Table watch: every event's object is a Table with the object's
// row; only the first carries columnDefinitions. Called with the store mutex held (the store is its only caller).
class TableEventEncoder {
 public:
  TableEventEncoder(TablePrinter printer, TableOptions options)
      : printer_(std::move(printer)), options_(std::move(options)) {}
  std::string operator()(EventType type, const Json& object);

 private:
  TablePrinter printer_;
  TableOptions options_;
};

// Kube's duration.HumanDuration: "45s", "3m20s", "5h", "2d3h", "3y".
std::string human_duration(Clock::duration d);
// Seconds since the epoch of an RFC 3339 time ("2026-01-02T03:04:05Z", fractions and offsets allowed).
std::optional<Clock::time_point> parse_time(const std::string& text);

}  // namespace gitmoor::sandbox
