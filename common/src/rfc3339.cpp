#include "ossvp/common/rfc3339.h"

#include <cstdio>
#include <ctime>

namespace ossvp {
namespace {

using std::chrono::system_clock;

// Reads `count` decimal digits at text[pos]; false if any is not a digit.
bool readDigits(std::string_view text, size_t pos, size_t count, int* out) {
  if (pos + count > text.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    v = v * 10 + (text[i] - '0');
  }
  *out = v;
  return true;
}

bool isLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeapYear(y) ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
// (H. Hinnant's days_from_civil).
int64_t daysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

std::string formatRfc3339(system_clock::time_point t, Rfc3339Fraction fraction) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto sub = t - secs;
  const std::time_t tt = static_cast<std::time_t>(secs.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[48];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                        tm.tm_hour, tm.tm_min, tm.tm_sec);
  std::string out(buf, static_cast<size_t>(n));
  if (fraction == Rfc3339Fraction::kMillis) {
    std::snprintf(buf, sizeof buf, ".%03lld",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(sub).count()));
    out += buf;
  } else if (fraction == Rfc3339Fraction::kMicros) {
    std::snprintf(buf, sizeof buf, ".%06lld",
                  static_cast<long long>(std::chrono::duration_cast<std::chrono::microseconds>(sub).count()));
    out += buf;
  }
  return out + "Z";
}

std::string formatRfc3339(int64_t unixSeconds, Rfc3339Fraction fraction) {
  return formatRfc3339(system_clock::time_point(std::chrono::seconds(unixSeconds)), fraction);
}

std::optional<system_clock::time_point> parseRfc3339(std::string_view text) {
  // full-date "T" partial-time time-offset: 2021-10-20T04:27:09[.frac](Z|+hh:mm|-hh:mm)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!readDigits(text, 0, 4, &year) || text.size() < 19 || text[4] != '-' || !readDigits(text, 5, 2, &month) ||
      text[7] != '-' || !readDigits(text, 8, 2, &day) || (text[10] != 'T' && text[10] != 't') ||
      !readDigits(text, 11, 2, &hour) || text[13] != ':' || !readDigits(text, 14, 2, &minute) || text[16] != ':' ||
      !readDigits(text, 17, 2, &second)) {
    return std::nullopt;
  }
  // 1678..2261: the years system_clock's nanoseconds since 1970 can hold in 64 bits.
  if (year < 1678 || year > 2261 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 60) {
    return std::nullopt;
  }
  size_t pos = 19;
  std::chrono::nanoseconds frac{0};
  if (pos < text.size() && text[pos] == '.') {
    size_t digits = 0;
    int64_t nanos = 0;
    for (++pos; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits) {
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (size_t d = digits; d < 9; ++d) nanos *= 10;
    frac = std::chrono::nanoseconds(nanos);
  }
  int offsetMinutes = 0;
  if (pos + 1 == text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    offsetMinutes = 0;
  } else if (pos + 6 == text.size() && (text[pos] == '+' || text[pos] == '-') && text[pos + 3] == ':') {
    int oh = 0, om = 0;
    if (!readDigits(text, pos + 1, 2, &oh) || !readDigits(text, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offsetMinutes = (text[pos] == '-' ? -1 : 1) * (oh * 60 + om);
  } else {
    return std::nullopt;
  }
  const int64_t local = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  const auto utc = std::chrono::seconds(local - int64_t{offsetMinutes} * 60);
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(utc + frac));
}

std::optional<int64_t> parseRfc3339Seconds(std::string_view text) {
  auto t = parseRfc3339(text);
  if (!t) return std::nullopt;
  return std::chrono::floor<std::chrono::seconds>(*t).time_since_epoch().count();
}

}  // namespace ossvp
