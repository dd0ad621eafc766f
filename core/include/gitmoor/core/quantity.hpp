#pragma once
// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource): `500m`, `0.5`, `1Gi`, `1e3`, `100M`.
// Values are exact: equal values compare equal however they are spelled (`1000M` == `1G`, `1Gi` == `1073741824`).
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gitmoor/core/error.hpp"

namespace gitmoor::core {

class InvalidQuantity : public InvalidInput {
 public:
  using InvalidInput::InvalidInput;
};

class Quantity {
 public:
  // How the value was written; decides the suffix family of the canonical form, as in the API server.
  enum class Format { DecimalSI, BinarySI, DecimalExponent };

  Quantity() = default;

  // Throws InvalidQuantity naming the input (`quantity "12x": ...`).
  static Quantity parse(std::string_view text);
  static std::optional<Quantity> try_parse(std::string_view text);

  // Canonical form as the API server prints it: `0.5` → `500m`, `1536Mi` stays, `1000M` → `1G`, `1e3` → `1e3`.
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] Format format() const { return format_; }

  // Value rounded up to an integer / to milli-units, as resource.Quantity's Value() and MilliValue().
  [[nodiscard]] std::int64_t value() const;
  [[nodiscard]] std::int64_t milli_value() const;
  [[nodiscard]] double as_double() const;

  // Compares values only (the format does not matter).
  friend std::strong_ordering operator<=>(const Quantity& a, const Quantity& b);
  friend bool operator==(const Quantity& a, const Quantity& b) { return (a <=> b) == 0; }

 private:
  // __extension__ keeps -Wpedantic quiet: 128 bits hold the 38 significant digits a parsed quantity may have.
  __extension__ typedef __int128 Wide;

  Quantity(Wide unscaled, std::int32_t scale, Format format) : unscaled_(unscaled), scale_(scale), format_(format) {}
  [[nodiscard]] std::int64_t scaled_value(std::int32_t target_scale) const;

  // value = unscaled * 10^scale, exactly; normalised so that unscaled has no trailing decimal zeros (or is 0).
  Wide unscaled_ = 0;
  std::int32_t scale_ = 0;
  Format format_ = Format::DecimalSI;
};

}  // namespace gitmoor::core
