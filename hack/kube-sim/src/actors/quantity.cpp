#include "actors/quantity.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <variant>

namespace ossvp::kubesim {

namespace {

constexpr const char* kFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kSuffixWrong = "unable to parse quantity's suffix";

// What a suffix multiplies by: 1024^binary * 10^decimal.
struct Multiplier {
  int binary = 0;
  long long decimal = 0;
};

struct Suffix {
  std::string_view text;
  Multiplier by;
};

constexpr Suffix kSuffixes[] = {
    {"Ki", {1, 0}}, {"Mi", {2, 0}}, {"Gi", {3, 0}}, {"Ti", {4, 0}}, {"Pi", {5, 0}}, {"Ei", {6, 0}},
    {"n", {0, -9}}, {"u", {0, -6}}, {"m", {0, -3}}, {"", {0, 0}},   {"k", {0, 3}},  {"M", {0, 6}},
    {"G", {0, 9}},  {"T", {0, 12}}, {"P", {0, 15}}, {"E", {0, 18}},
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The parts of a quantity, as apimachinery's parseQuantityString splits it.
struct Parts {
  bool negative = false;
  std::string_view num;    // digits before the point (leading zeros dropped; may be empty)
  std::string_view denom;  // digits after it
  Multiplier suffix;
};

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The suffix's multiplier, or nullopt when apimachinery's suffixer does not know it.
std::optional<Multiplier> suffixMultiplier(std::string_view suffix) {
  for (const Suffix& s : kSuffixes) {
    if (suffix == s.text) return s.by;
  }
  if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return std::nullopt;
  std::string exp(suffix.substr(1));
  char* end = nullptr;
  errno = 0;
  long long e = std::strtoll(exp.c_str(), &end, 10);
  if (end == exp.c_str() || *end != '\0' || errno != 0) return std::nullopt;
  return Multiplier{0, e};
}

// parseQuantityString + the suffix lookup of resource.ParseQuantity.
std::variant<Parts, const char*> split(std::string_view text) {
  std::string_view s = trimSpaces(text);
  if (s.empty()) return kFormatWrong;
  Parts p;
  size_t pos = 0, end = s.size();
  if (s[0] == '-' || s[0] == '+') {
    p.negative = s[0] == '-';
    ++pos;
  }
  while (pos < end && s[pos] == '0') ++pos;
  size_t numStart = pos;
  while (pos < end && isDigit(s[pos])) ++pos;
  p.num = s.substr(numStart, pos - numStart);
  if (pos < end && s[pos] == '.') {
    size_t denomStart = ++pos;
    while (pos < end && isDigit(s[pos])) ++pos;
    p.denom = s.substr(denomStart, pos - denomStart);
  }
  size_t suffixStart = pos;
  while (pos < end && std::string_view("eEinumkKMGTP").find(s[pos]) != std::string_view::npos) ++pos;
  if (pos < end && (s[pos] == '-' || s[pos] == '+')) ++pos;
  while (pos < end && isDigit(s[pos])) ++pos;
  if (pos < end) return kFormatWrong;
  auto suffix = suffixMultiplier(s.substr(suffixStart));
  if (!suffix) return kSuffixWrong;
  p.suffix = *suffix;
  return p;
}

// Multiplies the decimal digits `digits` (most significant first) by `by` in place.
void multiplyDigits(std::string& digits, unsigned by) {
  unsigned carry = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    unsigned d = static_cast<unsigned>(*it - '0') * by + carry;
    *it = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  for (; carry != 0; carry /= 10) digits.insert(digits.begin(), static_cast<char>('0' + carry % 10));
}

// |value| * 10^scale, rounded away from zero to an integer (apimachinery's
// ScaledValue), computed exactly on the digits; nullopt past 64 bits.
std::optional<uint64_t> scaledMagnitude(const Parts& p, int scale) {
  std::string digits = std::string(p.num) + std::string(p.denom);
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
  if (digits.empty()) return 0;
  for (int i = 0; i < p.suffix.binary; ++i) multiplyDigits(digits, 1024);
  // Far beyond any digit count: every digit is kept, or every one dropped.
  constexpr long long kFar = 1LL << 40;
  long long exponent = std::clamp(p.suffix.decimal, -kFar, kFar) + scale - static_cast<long long>(p.denom.size());
  size_t keep = digits.size();
  bool dropped = false;  // a non-zero digit fell below the scale: round up
  if (exponent < 0) {
    size_t drop = static_cast<size_t>(std::min<long long>(-exponent, static_cast<long long>(digits.size())));
    keep = digits.size() - drop;
    dropped = digits.find_first_not_of('0', keep) != std::string::npos;
    exponent = 0;
  }
  if (static_cast<long long>(keep) + exponent > 20) return std::nullopt;  // >= 10^20
  uint64_t value = 0;
  for (size_t i = 0; i < keep; ++i) {
    if (__builtin_mul_overflow(value, 10U, &value) || __builtin_add_overflow(value, digits[i] - '0', &value))
      return std::nullopt;
  }
  for (long long i = 0; i < exponent; ++i) {
    if (__builtin_mul_overflow(value, 10U, &value)) return std::nullopt;
  }
  if (dropped && __builtin_add_overflow(value, 1U, &value)) return std::nullopt;
  return value;
}

}  // namespace

std::string quantityParseError(std::string_view text) {
  auto parts = split(text);
  return std::holds_alternative<const char*>(parts) ? std::get<const char*>(parts) : "";
}

std::optional<uint64_t> parseQuantity(std::string_view text) {
  auto parts = split(text);
  if (!std::holds_alternative<Parts>(parts)) return std::nullopt;
  const Parts& p = std::get<Parts>(parts);
  auto bytes = scaledMagnitude(p, 0);
  if (bytes && *bytes != 0 && p.negative) return std::nullopt;
  return bytes;
}

std::optional<int64_t> quantityMilliValue(std::string_view text) {
  auto parts = split(text);
  if (!std::holds_alternative<Parts>(parts)) return std::nullopt;
  const Parts& p = std::get<Parts>(parts);
  auto milli = scaledMagnitude(p, 3);
  if (!milli || *milli > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  int64_t value = static_cast<int64_t>(*milli);
  return p.negative ? -value : value;
}

std::string formatQuantity(uint64_t bytes) {
  static constexpr std::string_view kNames[] = {"Ei", "Pi", "Ti", "Gi", "Mi", "Ki"};
  for (int i = 0; i < 6; ++i) {
    uint64_t unit = 1ULL << (10 * (6 - i));
    if (bytes != 0 && bytes % unit == 0) return std::to_string(bytes / unit) + std::string(kNames[i]);
  }
  return std::to_string(bytes);
}

}  // namespace ossvp::kubesim
