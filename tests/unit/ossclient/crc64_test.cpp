#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "ossvp/ossclient/crc64.h"

using namespace ossvp::ossclient;

TEST_CASE("crc64: SDK vectors (CRC-64/XZ)", "[crc64]") {
  CHECK(crc64("123456789") == 0x995dc9bbdf1939faULL);
  CHECK(crc64("123456789") == 11051210869376104954ULL);
  const std::string b = "This is a test of the emergency broadcast system.";
  REQUIRE(b.size() == 49);
  CHECK(crc64(b) == 0x27db187fc15bbc72ULL);
  CHECK(crc64(b) == 2871916124362751090ULL);
  CHECK(crc64("") == 0);
  CHECK(crc64("12345") == 0x5da746ffa5045ce9ULL);
  CHECK(crc64("67890") == 0x573a0a56c70bc2ddULL);
  CHECK(crc64("1234567890") == 0xb1cb31bbb4a2b2beULL);
}

TEST_CASE("crc64: chaining with the previous CRC equals the CRC of the concatenation", "[crc64]") {
  CHECK(crc64Update(crc64("12345"), "67890") == crc64("1234567890"));
  CHECK(crc64Update(crc64("abc"), "") == crc64("abc"));
  CHECK(crc64Update(0, "abc") == crc64("abc"));
}

TEST_CASE("crc64: combine", "[crc64]") {
  const std::string a = "123456789";
  const std::string b = "This is a test of the emergency broadcast system.";
  CHECK(crc64Combine(crc64(a), crc64(b), b.size()) == 0x6a7aa19fcbf48688ULL);
  CHECK(crc64Combine(crc64(a), crc64(b), b.size()) == crc64(a + b));
  CHECK(crc64Combine(crc64("12345"), crc64("67890"), 5) == crc64("1234567890"));
  CHECK(crc64Combine(0x1234, 0, 0) == 0x1234);
  CHECK(crc64Combine(0, crc64("xyz"), 3) == crc64("xyz"));

  std::mt19937_64 rng(42);
  std::string big(3 * 1024 * 1024 + 17, '\0');
  for (char& c : big) c = static_cast<char>(rng());
  // Multipart-style: combine several uneven parts in order.
  uint64_t combined = 0;
  size_t sizes[] = {1 << 20, 1 << 20, 1, (1 << 20) + 16};
  size_t off = 0;
  for (size_t s : sizes) {
    combined = crc64Combine(combined, crc64(big.data() + off, s), s);
    off += s;
  }
  REQUIRE(off == big.size());
  CHECK(combined == crc64(big));
}

TEST_CASE("crc64: header parsing", "[crc64]") {
  CHECK(parseCrc64Header("11051210869376104954") == 11051210869376104954ULL);
  CHECK(parseCrc64Header(" 0 ") == 0ULL);
  CHECK_FALSE(parseCrc64Header(""));
  CHECK_FALSE(parseCrc64Header("0x12"));
  CHECK_FALSE(parseCrc64Header("99999999999999999999999"));
}
