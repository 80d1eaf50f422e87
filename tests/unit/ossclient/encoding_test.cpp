#include <catch2/catch.hpp>

#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossclient/time_format.h"

using namespace ossvp::ossclient;

TEST_CASE("encoding: RFC 3986 percent-encoding", "[encoding]") {
  CHECK(uriEncode("a-b_c.d~e", false) == "a-b_c.d~e");
  CHECK(uriEncode("a b+c/d", false) == "a%20b%2Bc%2Fd");
  CHECK(uriEncode("a b+c/d", true) == "a%20b%2Bc/d");
  CHECK(uriEncode("\xE4\xB8\xAD", false) == "%E4%B8%AD");
  CHECK(uriDecode("a%20b%2Bc+d") == "a b+c+d");
  CHECK(uriDecode("a+b", true) == "a b");
  CHECK(uriDecode("bad%zzescape%") == "bad%zzescape%");
  CHECK(uriDecode(uriEncode("\x01\xff /?&=", false)) == "\x01\xff /?&=");
}

TEST_CASE("encoding: base64 and hex", "[encoding]") {
  CHECK(base64Encode("") == "");
  CHECK(base64Encode("f") == "Zg==");
  CHECK(base64Encode("foobar") == "Zm9vYmFy");
  CHECK(*base64Decode("Zg==") == "f");
  CHECK(*base64Decode("Zm9vYg==") == "foob");
  CHECK(*base64Decode("Zm9v\nYmFy") == "foobar");
  CHECK_FALSE(base64Decode("abc"));
  CHECK(hexEncode("\x01\xab") == "01ab");
  CHECK(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(md5Base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST_CASE("time formats", "[encoding]") {
  CHECK(formatRfc1123(1672223261) == "Wed, 28 Dec 2022 10:27:41 GMT");
  CHECK(*parseRfc1123("Wed, 28 Dec 2022 10:27:41 GMT") == 1672223261);
  CHECK(formatIso8601Basic(1702743657) == "20231216T162057Z");
  CHECK(*parseIso8601Basic("20231216T162057Z") == 1702743657);
  CHECK(formatIso8601Extended(1589780747) == "2020-05-18T05:45:47.000Z");
  CHECK(*parseIso8601Extended("2020-05-18T05:45:47.000Z") == 1589780747);
  CHECK(*parseIso8601Extended("2021-10-20T04:27:09Z") == 1634704029);
  CHECK_FALSE(parseRfc1123("yesterday"));
  CHECK_FALSE(parseIso8601Basic("2023-12-16"));
  CHECK_FALSE(parseIso8601Extended("2020-13-18T05:45:47Z"));
}
