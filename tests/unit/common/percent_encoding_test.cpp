#include <catch2/catch.hpp>

#include <string>

#include "ossvp/common/percent_encoding.h"

using ossvp::percentDecode;
using ossvp::percentEncode;
using ossvp::SlashEncoding;

TEST_CASE("percent-encoding: RFC 3986 unreserved characters stay, every other byte is %XX", "[percent]") {
  const std::string unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  CHECK(percentEncode(unreserved) == unreserved);
  for (int c = 0; c < 256; ++c) {
    const std::string one(1, static_cast<char>(c));
    if (unreserved.find(one) != std::string::npos) continue;
    char want[4];
    std::snprintf(want, sizeof want, "%%%02X", c);
    CHECK(percentEncode(one) == want);
  }
}

TEST_CASE("percent-encoding: the OpenAPI POP rules (%20, %2A, '~' literal)", "[percent]") {
  // What the POP SDKs compute as URLEncoder.encode(s).replace("+", "%20")
  // .replace("*", "%2A").replace("%7E", "~").
  CHECK(percentEncode("a b*c~d") == "a%20b%2Ac~d");
  CHECK(percentEncode("2016-02-23T12:46:24Z") == "2016-02-23T12%3A46%3A24Z");
  CHECK(percentEncode("a=b&c") == "a%3Db%26c");
}

TEST_CASE("percent-encoding: '/' is encoded unless kept for object paths", "[percent]") {
  CHECK(percentEncode("dir/a b+c") == "dir%2Fa%20b%2Bc");
  CHECK(percentEncode("dir/a b+c", SlashEncoding::kKeep) == "dir/a%20b%2Bc");
  CHECK(percentEncode("\xE4\xB8\xAD/x", SlashEncoding::kKeep) == "%E4%B8%AD/x");
}

TEST_CASE("percent-decoding: %XX either case, '+' only as a form space, bad escapes literal", "[percent]") {
  CHECK(percentDecode("a%20b%2Bc+d") == "a b+c+d");
  CHECK(percentDecode("%e4%b8%ad") == "\xE4\xB8\xAD");
  CHECK(percentDecode("a+b", true) == "a b");
  CHECK(percentDecode("bad%zzescape%") == "bad%zzescape%");
  CHECK(percentDecode("%4") == "%4");
  const std::string bytes("\x01\xff /?&=+%\0", 10);
  CHECK(percentDecode(percentEncode(bytes)) == bytes);
}
