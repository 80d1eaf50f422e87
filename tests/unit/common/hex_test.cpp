// hexEncode: two digits per byte, in the case asked for.
#include <catch2/catch.hpp>

#include <string>

#include "ossvp/common/hex.h"

using ossvp::HexCase;
using ossvp::hexEncode;

TEST_CASE("hex: every byte value, lower and upper case", "[common][hex]") {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string lower = hexEncode(all);
  REQUIRE(lower.size() == 512);
  CHECK(lower.substr(0, 8) == "00010203");
  CHECK(lower.substr(20, 12) == "0a0b0c0d0e0f");
  CHECK(lower.substr(508) == "feff");
  CHECK(hexEncode(all, HexCase::Upper).substr(508) == "FEFF");
  CHECK(hexEncode("") == "");
  CHECK(hexEncode(std::string("\x00\x9f", 2), HexCase::Upper) == "009F");
}
