#include "ossvp/ossclient/time_format.h"

#include <cstdio>
#include <cstring>
#include <ctime>

namespace ossvp::ossclient {
namespace {

constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::tm toTm(int64_t epochSeconds) {
  std::time_t t = static_cast<std::time_t>(epochSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

std::optional<int64_t> fromFields(int year, int month, int day, int hour, int minute, int second) {
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 ||
      minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

}  // namespace

std::string formatRfc1123(int64_t epochSeconds) {
  std::tm tm = toTm(epochSeconds);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string formatIso8601Basic(int64_t epochSeconds) {
  std::tm tm = toTm(epochSeconds);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> parseRfc1123(std::string_view text) {
  std::string s(text);
  char wday[8] = {0};
  char mon[8] = {0};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d GMT", wday, &day, mon, &year, &hour, &minute, &second) != 7) {
    return std::nullopt;
  }
  for (int m = 0; m < 12; ++m) {
    if (std::strcmp(mon, kMonths[m]) == 0) return fromFields(year, m + 1, day, hour, minute, second);
  }
  return std::nullopt;
}

std::optional<int64_t> parseIso8601Basic(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z') return std::nullopt;
  std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (std::sscanf(s.c_str(), "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &se) != 6) return std::nullopt;
  return fromFields(y, mo, d, h, mi, se);
}

}  // namespace ossvp::ossclient
