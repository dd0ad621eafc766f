#include "gitmoor/core/quantity.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <utility>

// Semantics follow k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go): parse exactly, round a finer
// non-zero value away from zero to nano, cap binary quantities at 2^63-1, print what the API server prints.
namespace gitmoor::core {
namespace {

__extension__ typedef __int128 Wide;
__extension__ typedef unsigned __int128 UWide;

// Manifests spell quantities in a handful of characters; the bound keeps error messages and digit work small.
constexpr std::size_t kMaxTextLength = 256;
// 10^38 - 1 < 2^127, so 38 significant digits always fit the signed 128-bit mantissa.
constexpr std::size_t kMaxSignificantDigits = 38;
constexpr std::int64_t kNanoExponent = -9;
// ParseQuantity silently caps a binarySI quantity here (maxAllowed in quantity.go).
constexpr std::string_view kBinaryCap = "9223372036854775807";

struct Suffix {
  int binary_exponent = 0;   // power of two the digits are multiplied by (Ki = 10, ..., Ei = 60)
  std::int64_t decimal_exponent = 0;
  Quantity::Format format = Quantity::Format::DecimalSI;
};

constexpr std::array<std::pair<std::string_view, int>, 10> kDecimalSuffixes{{
    {"n", -9}, {"u", -6}, {"m", -3}, {"", 0}, {"k", 3}, {"M", 6}, {"G", 9}, {"T", 12}, {"P", 15}, {"E", 18},
}};
constexpr std::array<std::string_view, 7> kBinarySuffixes{"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

// A non-negative decimal: digits * 10^exponent; digits has no leading zeros and is empty for zero.
struct Decimal {
  std::string digits;
  std::int64_t exponent = 0;
};

[[noreturn]] void fail(std::string_view text, std::string_view reason) {
  // Quote at most a screenful of an overlong input.
  std::string shown(text.substr(0, 64));
  if (text.size() > 64) shown += "...";
  throw InvalidQuantity("quantity \"" + shown + "\": " + std::string(reason));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view take_digits(std::string_view text, std::size_t& pos) {
  const std::size_t start = pos;
  while (pos < text.size() && is_digit(text[pos])) ++pos;
  return text.substr(start, pos - start);
}

// `e`/`E` followed by a signed integer. Go parses it as int64 and truncates to int32; rejecting what does not fit
// int32 keeps every later exponent computation inside int64.
std::int64_t parse_exponent(std::string_view text, std::string_view digits) {
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) {
    fail(text, "exponent must be an integer after e/E");
  }
  std::int64_t value = 0;
  for (char c : digits) {
    value = value * 10 + (c - '0');
    if (value > std::int64_t{std::numeric_limits<std::int32_t>::max()} + 1) fail(text, "exponent out of range");
  }
  value = negative ? -value : value;
  if (value > std::numeric_limits<std::int32_t>::max()) fail(text, "exponent out of range");
  return value;
}

Suffix interpret_suffix(std::string_view text, std::string_view suffix) {
  for (const auto& [name, exponent] : kDecimalSuffixes) {
    if (suffix == name) return Suffix{0, exponent, Quantity::Format::DecimalSI};
  }
  for (std::size_t i = 1; i < kBinarySuffixes.size(); ++i) {
    if (suffix == kBinarySuffixes[i]) return Suffix{static_cast<int>(i) * 10, 0, Quantity::Format::BinarySI};
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    return Suffix{0, parse_exponent(text, suffix.substr(1)), Quantity::Format::DecimalExponent};
  }
  fail(text, "unknown suffix \"" + std::string(suffix) +
                 "\" (expected n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or e<integer>)");
}

void strip_leading_zeros(std::string& digits) {
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
}

void strip_trailing_zeros(Decimal& value) {
  const std::size_t last = value.digits.find_last_not_of('0');
  const std::size_t keep = last == std::string::npos ? 0 : last + 1;
  value.exponent += static_cast<std::int64_t>(value.digits.size() - keep);
  value.digits.resize(keep);
}

void multiply(std::string& digits, unsigned factor) {
  unsigned carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    const unsigned product = static_cast<unsigned>(*it - '0') * factor + carry;
    *it = static_cast<char>('0' + product % 10);
    carry = product / 10;
  }
  for (; carry != 0; carry /= 10) digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
}

void increment(std::string& digits) {
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    if (*it != '9') {
      ++*it;
      return;
    }
    *it = '0';
  }
  digits.insert(digits.begin(), '1');
}

// "If you want some resources, you should get some": a value finer than nano rounds away from zero to nano.
void round_up_to_nano(Decimal& value) {
  if (value.digits.empty() || value.exponent >= kNanoExponent) return;
  const std::int64_t drop = kNanoExponent - value.exponent;
  value.exponent = kNanoExponent;
  if (drop >= static_cast<std::int64_t>(value.digits.size())) {
    value.digits = "1";
    return;
  }
  const auto keep = value.digits.size() - static_cast<std::size_t>(drop);
  const bool inexact = value.digits.find_first_not_of('0', keep) != std::string::npos;
  value.digits.resize(keep);
  if (inexact) increment(value.digits);
}

// Expects no trailing zeros and exponent >= -9 (so any fraction is non-zero).
bool exceeds_binary_cap(const Decimal& value) {
  const std::int64_t integer_digits = static_cast<std::int64_t>(value.digits.size()) + value.exponent;
  const auto cap_digits = static_cast<std::int64_t>(kBinaryCap.size());
  if (integer_digits != cap_digits) return integer_digits > cap_digits;
  std::string integer = value.digits.substr(0, kBinaryCap.size());
  integer.resize(kBinaryCap.size(), '0');
  if (integer != kBinaryCap) return integer > kBinaryCap;
  return value.exponent < 0;
}

UWide pow10(std::int64_t n) {
  UWide result = 1;
  for (std::int64_t i = 0; i < n; ++i) result *= 10;
  return result;
}

std::int64_t digit_count(UWide value) {
  std::int64_t count = 1;
  for (; value >= 10; value /= 10) ++count;
  return count;
}

std::string to_decimal(UWide value) {
  std::string out;
  do {
    out.insert(out.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return out;
}

UWide magnitude_of(Wide value) { return value < 0 ? -static_cast<UWide>(value) : static_cast<UWide>(value); }

int sign_of(Wide value) { return (value > 0) - (value < 0); }

std::strong_ordering compare_magnitudes(UWide a, std::int32_t a_scale, UWide b, std::int32_t b_scale) {
  // Equal orders of magnitude mean the scales differ by at most 37 digits, so aligning cannot overflow.
  const std::int64_t a_order = digit_count(a) + a_scale;
  const std::int64_t b_order = digit_count(b) + b_scale;
  if (a_order != b_order) return a_order <=> b_order;
  if (a_scale > b_scale) a *= pow10(std::int64_t{a_scale} - b_scale);
  if (b_scale > a_scale) b *= pow10(std::int64_t{b_scale} - a_scale);
  return a <=> b;
}

// DecimalSI has suffixes from n to E only; beyond them the API server falls back to exponent notation.
std::string decimal_suffix(std::int64_t exponent, Quantity::Format format) {
  if (format == Quantity::Format::DecimalSI) {
    for (const auto& [name, value] : kDecimalSuffixes) {
      if (value == exponent) return std::string(name);
    }
  }
  return exponent == 0 ? std::string() : "e" + std::to_string(exponent);
}

// AsCanonicalBytes: lower the exponent to a multiple of three, padding the mantissa with zeros.
std::string decimal_text(UWide magnitude, std::int64_t exponent, Quantity::Format format) {
  std::string digits = to_decimal(magnitude);
  const std::int64_t pad = ((exponent % 3) + 3) % 3;
  digits.append(static_cast<std::size_t>(pad), '0');
  return digits + decimal_suffix(exponent - pad, format);
}

// AsCanonicalBase1024Bytes: move every factor of 1024 into the suffix.
std::string binary_text(UWide value) {
  std::size_t power = 0;
  while (power + 1 < kBinarySuffixes.size() && value % 1024 == 0) {
    value /= 1024;
    ++power;
  }
  return to_decimal(value) + std::string(kBinarySuffixes[power]);
}

}  // namespace

Quantity Quantity::parse(std::string_view text) {
  if (text.empty()) fail(text, "empty");
  if (text.size() > kMaxTextLength) fail(text, "longer than " + std::to_string(kMaxTextLength) + " characters");

  std::size_t pos = 0;
  const bool negative = text[0] == '-';
  if (text[0] == '-' || text[0] == '+') ++pos;
  const std::string_view integer = take_digits(text, pos);
  std::string_view fraction;
  if (pos < text.size() && text[pos] == '.') fraction = take_digits(text, ++pos);
  // Go reads a bare sign, "." or "Gi" as zero; a number without digits is a typo, so it is rejected here.
  if (integer.empty() && fraction.empty()) fail(text, "expected digits, as in 100m, 0.5, 1Gi or 1e3");
  const Suffix suffix = interpret_suffix(text, text.substr(pos));

  Decimal value{std::string(integer) + std::string(fraction),
                suffix.decimal_exponent - static_cast<std::int64_t>(fraction.size())};
  strip_leading_zeros(value.digits);
  // n * 2^k * 10^-f is exact in decimal: its fraction never has more than f digits.
  for (int i = 0; i < suffix.binary_exponent && !value.digits.empty(); i += 10) multiply(value.digits, 1024);
  if (value.digits.empty()) return Quantity(0, 0, suffix.format);

  round_up_to_nano(value);
  strip_trailing_zeros(value);
  Format format = suffix.format;
  if (format == Format::BinarySI) {
    if (exceeds_binary_cap(value)) value = Decimal{std::string(kBinaryCap), 0};
    // A binary quantity strictly between 0 and 1 cannot print as binary; Go switches it to DecimalSI.
    if (static_cast<std::int64_t>(value.digits.size()) + value.exponent <= 0) format = Format::DecimalSI;
  }
  if (value.digits.size() > kMaxSignificantDigits) {
    fail(text, "more than " + std::to_string(kMaxSignificantDigits) + " significant digits");
  }
  if (value.exponent > std::numeric_limits<std::int32_t>::max()) fail(text, "exponent out of range");

  Wide unscaled = 0;
  for (char c : value.digits) unscaled = unscaled * 10 + (c - '0');
  return Quantity(negative ? -unscaled : unscaled, static_cast<std::int32_t>(value.exponent), format);
}

std::optional<Quantity> Quantity::try_parse(std::string_view text) {
  try {
    return parse(text);
  } catch (const InvalidQuantity&) {
    return std::nullopt;
  }
}

std::string Quantity::to_string() const {
  if (unscaled_ == 0) return "0";
  const std::string sign = unscaled_ < 0 ? "-" : "";
  const UWide magnitude = magnitude_of(unscaled_);
  // CanonicalizeBytes prints binary only for integers of at least 1024 (so 512 stays "512", not "0.5Ki");
  // parse caps binary values at 2^63-1, so a binary integer has at most 19 digits and scale_ <= 18.
  if (format_ == Format::BinarySI && scale_ >= 0 && digit_count(magnitude) + scale_ <= 19) {
    const UWide integer = magnitude * pow10(scale_);
    if (integer >= 1024) return sign + binary_text(integer);
  }
  const Format decimal_format = format_ == Format::DecimalExponent ? format_ : Format::DecimalSI;
  return sign + decimal_text(magnitude, scale_, decimal_format);
}

// ScaledValue: ceil(|q| / 10^target) with the sign put back, i.e. rounding away from zero as the int64 fast path
// does. Go overflows silently past int64; this saturates instead.
std::int64_t Quantity::scaled_value(std::int32_t target_scale) const {
  if (unscaled_ == 0) return 0;
  const UWide magnitude = magnitude_of(unscaled_);
  const std::int64_t shift = std::int64_t{scale_} - target_scale;
  constexpr UWide kSaturated = UWide{1} << 64;  // larger than any int64 magnitude
  UWide result = kSaturated;
  if (shift >= 0) {
    if (digit_count(magnitude) + shift <= 20) result = magnitude * pow10(shift);
  } else if (-shift > 38) {
    result = 1;  // |q| < 10^38 * 10^shift < one target unit, and non-zero
  } else {
    const UWide divisor = pow10(-shift);
    result = magnitude / divisor + (magnitude % divisor != 0 ? 1 : 0);
  }
  constexpr auto kMax = static_cast<UWide>(std::numeric_limits<std::int64_t>::max());
  if (unscaled_ > 0) return result > kMax ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(result);
  if (result > kMax) return std::numeric_limits<std::int64_t>::min();
  return -static_cast<std::int64_t>(result);
}

std::int64_t Quantity::value() const { return scaled_value(0); }

std::int64_t Quantity::milli_value() const { return scaled_value(-3); }

double Quantity::as_double() const {
  if (unscaled_ == 0) return 0.0;
  // strtod rounds the exact decimal correctly, and gives ±inf or 0 outside the double range.
  const std::string text =
      (unscaled_ < 0 ? "-" : "") + to_decimal(magnitude_of(unscaled_)) + "e" + std::to_string(scale_);
  return std::strtod(text.c_str(), nullptr);
}

std::strong_ordering operator<=>(const Quantity& a, const Quantity& b) {
  const int a_sign = sign_of(a.unscaled_);
  const int b_sign = sign_of(b.unscaled_);
  if (a_sign != b_sign || a_sign == 0) return a_sign <=> b_sign;
  const auto magnitude = compare_magnitudes(magnitude_of(a.unscaled_), a.scale_, magnitude_of(b.unscaled_), b.scale_);
  return a_sign > 0 ? magnitude : 0 <=> magnitude;
}

}  // namespace gitmoor::core
