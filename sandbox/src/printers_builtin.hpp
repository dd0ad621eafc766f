#pragma once
// kube-apiserver's printers for the built-in kinds (pkg/printers/internalversion/printers.go, and kube-aggregator's
// for APIService), keyed by group and kind.
#include <string>

#include "printers.hpp"

namespace gitmoor::sandbox {

// The printer of a built-in kind; null for a kind kube prints with the default table (Name, Created At).
const TablePrinter* builtin_printer(const std::string& group, const std::string& kind);

}  // namespace gitmoor::sandbox
