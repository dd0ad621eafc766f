// See ui_assets.hpp; the table itself is generated into the build folder (ui_assets_data.cpp).
#include "ui_assets.hpp"

#include <algorithm>

namespace gitmoor::web {

const UiAsset* find_ui_asset(std::string_view name) {
  const auto assets = ui_assets();
  const auto it = std::lower_bound(assets.begin(), assets.end(), name,
                                   [](const UiAsset& asset, std::string_view wanted) { return asset.name < wanted; });
  return it != assets.end() && it->name == name ? &*it : nullptr;
}

}  // namespace gitmoor::web
