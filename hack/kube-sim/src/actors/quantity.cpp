#include "actors/quantity.h"

#include <cmath>
#include <cstdlib>
#include <variant>

namespace ossvp::kubesim {

namespace {

constexpr const char* kFormatWrong =
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr const char* kSuffixWrong = "unable to parse quantity's suffix";

struct Suffix {
  std::string_view text;
  double factor;
};

constexpr Suffix kSuffixes[] = {
    {"Ki", 1024.0},
    {"Mi", 1048576.0},
    {"Gi", 1073741824.0},
    {"Ti", 1099511627776.0},
    {"Pi", 1125899906842624.0},
    {"Ei", 1152921504606846976.0},
    {"n", 1e-9},
    {"u", 1e-6},
    {"m", 1e-3},
    {"", 1.0},
    {"k", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"E", 1e18},
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// The parts of a quantity, as apimachinery's parseQuantityString splits it.
struct Parts {
  bool negative = false;
  std::string_view num;    // digits before the point (leading zeros dropped; may be empty)
  std::string_view denom;  // digits after it
  double factor = 1.0;     // what the suffix multiplies by
};

std::string_view trimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The suffix's factor, or nullopt when apimachinery's suffixer does not know it.
std::optional<double> suffixFactor(std::string_view suffix) {
  for (const Suffix& s : kSuffixes) {
    if (suffix == s.text) return s.factor;
  }
  if (suffix.size() < 2 || (suffix[0] != 'e' && suffix[0] != 'E')) return std::nullopt;
  std::string exp(suffix.substr(1));
  char* end = nullptr;
  errno = 0;
  long long e = std::strtoll(exp.c_str(), &end, 10);
  if (end == exp.c_str() || *end != '\0' || errno != 0) return std::nullopt;
  return std::pow(10.0, static_cast<double>(e));
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
  auto factor = suffixFactor(s.substr(suffixStart));
  if (!factor) return kSuffixWrong;
  p.factor = *factor;
  return p;
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
  std::string digits = (p.num.empty() ? std::string("0") : std::string(p.num)) + "." + std::string(p.denom);
  double value = std::strtod(digits.c_str(), nullptr);
  if (p.negative && value != 0) return std::nullopt;
  double bytes = std::ceil(value * p.factor);
  if (bytes > 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(bytes);
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
