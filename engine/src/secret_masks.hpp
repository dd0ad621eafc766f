#pragma once
// Secret values hidden the way Argo CD hides them in its views (gitops-engine's HideSecretData): every value under
// a Secret's data becomes a run of '+'. For each key, equal values across the views share a mask and different
// values get different masks (8, 12, 16, ... '+'), so target and live still show which keys differ, and nothing
// of a value — not its length, not its base64 — is left.
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

// Masks the Secrets among `views` (the same object as different views: target, live, normalized live, predicted
// live; nulls and other kinds are left alone) together. stringData is folded into data first (as base64, as the
// API server stores it), and a kubectl last-applied annotation is masked with the same masks.
void mask_secret_values(const std::vector<core::Json*>& views);

}  // namespace gitmoor::engine
