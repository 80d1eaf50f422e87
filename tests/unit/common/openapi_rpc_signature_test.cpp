// OpenAPI RPC signature V1: two published vectors, Alibaba Cloud's
// documented example (RPC-1) and one from the darabonba SDK's tests (RPC-2).
#include <catch2/catch.hpp>

#include "ossvp/common/openapi_rpc_signature.h"
#include "ossvp/common/percent_encoding.h"

using namespace ossvp;

TEST_CASE("RPC signature V1 matches the official vector RPC-1", "[unit]") {
  std::map<std::string, std::string> p = {{"Timestamp", "2016-02-23T12:46:24Z"},
                                          {"Format", "XML"},
                                          {"AccessKeyId", "testid"},
                                          {"Action", "DescribeRegions"},
                                          {"SignatureMethod", "HMAC-SHA1"},
                                          {"SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"},
                                          {"Version", "2014-05-26"},
                                          {"SignatureVersion", "1.0"}};
  CHECK(rpcStringToSign("GET", p) ==
        "GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1"
        "%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-"
        "23T12%253A46%253A24Z%26Version%3D2014-05-26");
  CHECK(rpcSignatureV1("GET", p, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
  p["Signature"] = "ignored";
  CHECK(rpcSignatureV1("GET", p, "testsecret") == "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
}

TEST_CASE("RPC signature V1 matches darabonba vector RPC-2", "[unit]") {
  std::map<std::string, std::string> p = {{"test", "ok"}};
  CHECK(rpcStringToSign("", p) == "&%2F&test%3Dok");
  CHECK(rpcSignatureV1("", p, "accessKeySecret") == "jHx/oHoHNrbVfhncHEvPdHXZwHU=");
}

TEST_CASE("RPC percent-encoding keeps only unreserved characters", "[unit]") {
  CHECK(percentEncode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9");
  CHECK(rpcCanonicalQuery({{"b", "2"}, {"a", "1 1"}, {"Signature", "x"}}) == "a=1%201&b=2");
}
