#include <catch2/catch.hpp>

#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossclient/time_format.h"

using namespace ossvp::ossclient;

TEST_CASE("encoding: hex, digests and Content-MD5", "[encoding]") {
  CHECK(hexEncode("\x01\xab") == "01ab");
  CHECK(sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(md5Base64("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST_CASE("time formats", "[encoding]") {
  CHECK(formatRfc1123(1672223261) == "Wed, 28 Dec 2022 10:27:41 GMT");
  CHECK(*parseRfc1123("Wed, 28 Dec 2022 10:27:41 GMT") == 1672223261);
  CHECK(formatIso8601Basic(1702743657) == "20231216T162057Z");
  CHECK(*parseIso8601Basic("20231216T162057Z") == 1702743657);
  CHECK_FALSE(parseRfc1123("yesterday"));
  CHECK_FALSE(parseIso8601Basic("2023-12-16"));
}
