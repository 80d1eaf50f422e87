#include "actors/quantity.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace ossvp::kubesim {

namespace {

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
    {"k", 1e3},
    {"M", 1e6},
    {"G", 1e9},
    {"T", 1e12},
    {"P", 1e15},
    {"E", 1e18},
    {"m", 1e-3},
    {"", 1.0},
};

}  // namespace

std::optional<uint64_t> parseQuantity(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  size_t numEnd = 0;
  while (numEnd < text.size() && (std::isdigit(static_cast<unsigned char>(text[numEnd])) || text[numEnd] == '.' ||
                                  (numEnd == 0 && (text[numEnd] == '+' || text[numEnd] == '-')))) {
    ++numEnd;
  }
  if (numEnd == 0) return std::nullopt;
  std::string number(text.substr(0, numEnd));
  std::string_view rest = text.substr(numEnd);
  double factor = 1.0;
  if (!rest.empty() && (rest[0] == 'e' || rest[0] == 'E') && rest.size() > 1 &&
      (std::isdigit(static_cast<unsigned char>(rest[1])) || rest[1] == '-' || rest[1] == '+')) {
    char* end = nullptr;
    std::string exp(rest.substr(1));
    long e = std::strtol(exp.c_str(), &end, 10);
    if (end == nullptr || *end != '\0') return std::nullopt;
    factor = std::pow(10.0, static_cast<double>(e));
    rest = {};
  } else {
    bool found = false;
    for (const Suffix& s : kSuffixes) {
      if (rest == s.text) {
        factor = s.factor;
        found = true;
        break;
      }
    }
    if (!found) return std::nullopt;
  }
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (end == nullptr || *end != '\0' || value < 0) return std::nullopt;
  double bytes = std::ceil(value * factor);
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
