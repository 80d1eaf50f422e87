#include <catch2/catch.hpp>

#include <string>
#include <utility>

#include "ossvp/common/base64.h"

using ossvp::base64Decode;
using ossvp::base64Encode;
using ossvp::base64UrlDecode;
using ossvp::base64UrlEncode;

namespace {

// RFC 4648 §10.
const std::pair<const char*, const char*> kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

}  // namespace

TEST_CASE("base64: RFC 4648 test vectors both ways", "[base64]") {
  for (const auto& [raw, encoded] : kRfc4648) {
    CHECK(base64Encode(raw) == encoded);
    auto decoded = base64Decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == raw);
  }
}

TEST_CASE("base64: the URL alphabet drops padding and swaps + / for - _", "[base64]") {
  for (const auto& [raw, encoded] : kRfc4648) {
    std::string unpadded(encoded);
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    CHECK(base64UrlEncode(raw) == unpadded);
    CHECK(base64UrlDecode(unpadded) == std::optional<std::string>(raw));
  }
  const std::string bytes("\xfb\xff\xbf", 3);  // every 6-bit group is 62 or 63
  CHECK(base64Encode(bytes) == "+/+/");
  CHECK(base64UrlEncode(bytes) == "-_-_");
  CHECK(base64UrlDecode("-_-_") == std::optional<std::string>(bytes));
}

TEST_CASE("base64: binary bytes, including NUL, round-trip", "[base64]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  for (size_t n = 0; n <= all.size(); n += 37) {
    std::string part = all.substr(0, n);
    CHECK(base64Decode(base64Encode(part)) == std::optional<std::string>(part));
    CHECK(base64UrlDecode(base64UrlEncode(part)) == std::optional<std::string>(part));
  }
}

TEST_CASE("base64: line breaks are skipped, malformed input is rejected", "[base64]") {
  CHECK(base64Decode("Zm9v\nYmFy\r\n") == std::optional<std::string>("foobar"));
  CHECK_FALSE(base64Decode("Zm9"));          // not a multiple of 4
  CHECK_FALSE(base64Decode("Zm9vY"));        // not a multiple of 4
  CHECK_FALSE(base64Decode("Zg=a"));         // padding before a digit
  CHECK_FALSE(base64Decode("Z==="));         // three padding characters
  CHECK_FALSE(base64Decode("Zm9v!mFy"));     // outside the alphabet
  CHECK_FALSE(base64Decode("Zm9v-_Fy"));     // URL alphabet in standard base64
  CHECK_FALSE(base64UrlDecode("Zm9v+/Fy"));  // standard alphabet in base64url
  CHECK_FALSE(base64UrlDecode("Zg=="));      // base64url carries no padding
  CHECK_FALSE(base64UrlDecode("Zm9vY"));     // a single trailing digit holds no byte
}
