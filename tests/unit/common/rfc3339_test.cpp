#include <catch2/catch.hpp>

#include <chrono>

#include "ossvp/common/rfc3339.h"

using ossvp::formatRfc3339;
using ossvp::parseRfc3339;
using ossvp::Rfc3339Fraction;
using std::chrono::system_clock;

namespace {

system_clock::time_point at(int64_t unixSeconds, std::chrono::microseconds sub = {}) {
  return system_clock::time_point(std::chrono::seconds(unixSeconds)) + sub;
}

}  // namespace

TEST_CASE("rfc3339: formats UTC with no, millisecond or microsecond fractions", "[rfc3339]") {
  CHECK(formatRfc3339(int64_t{1634704029}) == "2021-10-20T04:27:09Z");
  CHECK(formatRfc3339(int64_t{1589780747}, Rfc3339Fraction::kMillis) == "2020-05-18T05:45:47.000Z");
  CHECK(formatRfc3339(int64_t{0}) == "1970-01-01T00:00:00Z");
  const auto t = at(1634704029, std::chrono::microseconds(123456));
  CHECK(formatRfc3339(t) == "2021-10-20T04:27:09Z");
  CHECK(formatRfc3339(t, Rfc3339Fraction::kMillis) == "2021-10-20T04:27:09.123Z");
  CHECK(formatRfc3339(t, Rfc3339Fraction::kMicros) == "2021-10-20T04:27:09.123456Z");
  // Truncated, never rounded into the next second.
  CHECK(formatRfc3339(at(1634704029, std::chrono::microseconds(999999)), Rfc3339Fraction::kMillis) ==
        "2021-10-20T04:27:09.999Z");
}

TEST_CASE("rfc3339: before 1970 the fraction counts forward from the earlier second", "[rfc3339]") {
  const auto t = system_clock::time_point(std::chrono::milliseconds(-1));
  CHECK(formatRfc3339(t, Rfc3339Fraction::kMillis) == "1969-12-31T23:59:59.999Z");
  CHECK(parseRfc3339("1969-12-31T23:59:59.999Z") == t);
}

TEST_CASE("rfc3339: parses Z, fractions and numeric offsets", "[rfc3339]") {
  CHECK(parseRfc3339("2021-10-20T04:27:09Z") == at(1634704029));
  CHECK(parseRfc3339("2020-05-18T05:45:47.000Z") == at(1589780747));
  CHECK(parseRfc3339("2021-10-20T04:27:09.123456Z") == at(1634704029, std::chrono::microseconds(123456)));
  CHECK(parseRfc3339("2021-10-20T04:27:09.5Z") == at(1634704029, std::chrono::microseconds(500000)));
  CHECK(parseRfc3339("2021-10-20t04:27:09z") == at(1634704029));
  CHECK(parseRfc3339("2021-10-20T12:27:09+08:00") == at(1634704029));
  CHECK(parseRfc3339("2021-10-19T23:57:09-04:30") == at(1634704029));
  CHECK(parseRfc3339("2024-02-29T00:00:00Z") == at(1709164800));
}

TEST_CASE("rfc3339: whole seconds since the epoch, the fraction floored", "[rfc3339]") {
  CHECK(ossvp::parseRfc3339Seconds("2021-10-20T04:27:09.999Z") == 1634704029);
  CHECK(ossvp::parseRfc3339Seconds("1969-12-31T23:59:59.5Z") == -1);
  CHECK_FALSE(ossvp::parseRfc3339Seconds("2021-10-20T04:27:09"));
}

TEST_CASE("rfc3339: round-trips what it formats", "[rfc3339]") {
  const auto t = at(1700000000, std::chrono::microseconds(42));
  CHECK(parseRfc3339(formatRfc3339(t, Rfc3339Fraction::kMicros)) == t);
  CHECK(parseRfc3339(formatRfc3339(t)) == at(1700000000));
}

TEST_CASE("rfc3339: rejects what is not an RFC 3339 date-time", "[rfc3339]") {
  CHECK_FALSE(parseRfc3339(""));
  CHECK_FALSE(parseRfc3339("2021-10-20"));
  CHECK_FALSE(parseRfc3339("2021-10-20 04:27:09Z"));   // space instead of T
  CHECK_FALSE(parseRfc3339("2021-10-20T04:27:09"));    // no offset
  CHECK_FALSE(parseRfc3339("2021-10-20T04:27:09.Z"));  // empty fraction
  CHECK_FALSE(parseRfc3339("2021-10-20T04:27:09Zjunk"));
  CHECK_FALSE(parseRfc3339("2021-10-20T04:27:09+0800"));
  CHECK_FALSE(parseRfc3339("2021-13-20T04:27:09Z"));
  CHECK_FALSE(parseRfc3339("2023-02-29T04:27:09Z"));  // not a leap year
  CHECK_FALSE(parseRfc3339("2021-10-20T24:00:00Z"));
  CHECK_FALSE(parseRfc3339("20231216T162057Z"));
  CHECK_FALSE(parseRfc3339("+021-10-20T04:27:09Z"));
}

TEST_CASE("rfc3339: years system_clock cannot hold are rejected, not wrapped", "[rfc3339]") {
  CHECK_FALSE(parseRfc3339("0001-01-01T00:00:00Z"));
  CHECK_FALSE(parseRfc3339("9999-12-31T23:59:59Z"));
  CHECK(parseRfc3339("2261-12-31T23:59:59Z"));
  CHECK(parseRfc3339("1678-01-01T00:00:00Z"));
}
