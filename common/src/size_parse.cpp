#include "ossvp/common/size_parse.h"

#include <cctype>
#include <charconv>

#include <spdlog/fmt/fmt.h>

namespace ossvp {

Result<uint64_t> parseByteSize(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  uint64_t number = 0;
  auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), number);
  if (ec != std::errc() || ptr == t.data()) {
    return invalidArgument(
        fmt::format("'{}' is not a size: write a number with an optional unit, e.g. 512M or 1GiB", text));
  }
  std::string unit(ptr, t.data() + t.size());
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  uint64_t mult = 1;
  if (unit.empty() || unit == "B")
    mult = 1;
  else if (unit == "K" || unit == "KB" || unit == "KI" || unit == "KIB")
    mult = 1ULL << 10;
  else if (unit == "M" || unit == "MB" || unit == "MI" || unit == "MIB")
    mult = 1ULL << 20;
  else if (unit == "G" || unit == "GB" || unit == "GI" || unit == "GIB")
    mult = 1ULL << 30;
  else if (unit == "T" || unit == "TB" || unit == "TI" || unit == "TIB")
    mult = 1ULL << 40;
  else
    return invalidArgument(
        fmt::format("'{}' has an unknown unit '{}': use K, M, G or T (binary, e.g. 1GiB)", text, unit));
  if (number != 0 && mult > UINT64_MAX / number) {
    return invalidArgument(fmt::format("'{}' is too large", text));
  }
  return number * mult;
}

std::string formatBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  if (u == 0) return fmt::format("{} B", bytes);
  return fmt::format("{:.2f} {}", v, kUnits[u]);
}

}  // namespace ossvp
