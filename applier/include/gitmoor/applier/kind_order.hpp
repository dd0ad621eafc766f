#pragma once
// The order objects are applied in, as data (Argo CD's kindOrder / flux's ReconcileOrder): Namespaces and CRDs
// first, then built-ins in dependency order, custom resources last. Prune walks it backwards.
#include <string_view>

#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

// Rank of a kind: lower applies first. Unknown kinds (custom resources) rank after every built-in.
int kind_rank(std::string_view group, std::string_view kind);

// The sync wave of an object: argocd.argoproj.io/sync-wave, 0 when absent or not an integer.
int sync_wave(const core::Object& object);

// True for objects that are hooks (argocd.argoproj.io/hook or helm.sh/hook): `gitmoor apply` skips them; the
// engine's sync operation runs them.
bool is_hook(const core::Object& object);

}  // namespace gitmoor::applier
