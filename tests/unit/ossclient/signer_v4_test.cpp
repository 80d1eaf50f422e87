// OSS V4 signing: the official SDKs' published test vectors, exactly,
// plus verification round trips as the emulator performs them.
#include <catch2/catch.hpp>

#include "ossvp/ossclient/encoding.h"
#include "ossvp/ossclient/signer.h"
#include "signer_test_util.h"

using namespace ossvp::ossclient;
using ossvp::ossclient::testutil::param;

namespace {

const Credentials kAkSk{"ak", "sk", "", std::nullopt};
const Credentials kAkSkToken{"ak", "sk", "token", std::nullopt};

QueryParams vectorQuery() {
  return {{"param1", "value1"}, {"+param1", "value3"}, {"|param1", "value4"},
          {"+param2", ""},      {"|param2", ""},       {"param2", ""}};
}

SignableRequest headerRequest() {
  SignableRequest r;
  r.method = "PUT";
  r.bucket = "bucket";
  r.key = "1234+-/123/1.txt";
  r.headers = {{"x-oss-head1", "value"},
               {"abc", "value"},
               {"ZAbc", "value"},
               {"XYZ", "value"},
               {"content-type", "text/plain"},
               {"x-oss-content-sha256", "UNSIGNED-PAYLOAD"}};
  r.query = vectorQuery();
  return r;
}

SignableRequest presignRequest() {
  SignableRequest r = headerRequest();
  r.headers = {{"x-oss-head1", "value"},
               {"abc", "value"},
               {"ZAbc", "value"},
               {"XYZ", "value"},
               {"content-type", "application/octet-stream"}};
  return r;
}

OssV4Params hangzhou(std::vector<std::string> additional = {}) {
  return OssV4Params{"cn-hangzhou", "oss", std::move(additional)};
}

}  // namespace

TEST_CASE("V4-1 header auth with intermediate values", "[signer][v4]") {
  SignableRequest r = headerRequest();
  signOssV4(r, kAkSk, hangzhou(), 1702743657);
  CHECK(*findHeader(r.headers, "x-oss-date") == "20231216T162057Z");
  CHECK(ossV4CanonicalRequest(r, {}) ==
        "PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&"
        "param2\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-"
        "head1:value\n\n\nUNSIGNED-PAYLOAD");
  CHECK(ossV4StringToSign("20231216T162057Z", "20231216/cn-hangzhou/oss/aliyun_v4_request",
                          ossV4CanonicalRequest(r, {})) ==
        "OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\n"
        "f4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4");
  CHECK(hexEncode(ossV4SigningKey("sk", "20231216", "cn-hangzhou", "oss")) ==
        "b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f");
  CHECK(*findHeader(r.headers, "Authorization") ==
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe");
}

TEST_CASE("V4 signing keys stay right when the secret, day, region or product changes", "[signer][v4]") {
  // The derivation is remembered per thread; each input must still get its own key.
  auto derive = [](const std::string& secret, const std::string& day, const std::string& region,
                   const std::string& product) {
    std::string k = "aliyun_v4" + secret;
    for (const std::string& part : {day, region, product, std::string("aliyun_v4_request")}) k = hmacSha256(k, part);
    return k;
  };
  const std::string first = "b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f";
  CHECK(hexEncode(ossV4SigningKey("sk", "20231216", "cn-hangzhou", "oss")) == first);
  CHECK(ossV4SigningKey("sk2", "20231216", "cn-hangzhou", "oss") == derive("sk2", "20231216", "cn-hangzhou", "oss"));
  CHECK(ossV4SigningKey("sk", "20231217", "cn-hangzhou", "oss") == derive("sk", "20231217", "cn-hangzhou", "oss"));
  CHECK(ossV4SigningKey("sk", "20231216", "cn-beijing", "oss") == derive("sk", "20231216", "cn-beijing", "oss"));
  CHECK(ossV4SigningKey("sk", "20231216", "cn-hangzhou", "oss-cloudbox") ==
        derive("sk", "20231216", "cn-hangzhou", "oss-cloudbox"));
  CHECK(hexEncode(ossV4SigningKey("sk", "20231216", "cn-hangzhou", "oss")) == first);  // derived again
  CHECK(hexEncode(ossV4SigningKey("sk", "20231216", "cn-hangzhou", "oss")) == first);  // from the memo
}

TEST_CASE("V4-2 header auth with STS token", "[signer][v4]") {
  SignableRequest r = headerRequest();
  signOssV4(r, kAkSkToken, hangzhou(), 1702784856);
  CHECK(*findHeader(r.headers, "x-oss-security-token") == "token");
  CHECK(sha256Hex(ossV4CanonicalRequest(r, {})) == "69494678fb11579d4ee12996e2796d9e2ba43c34aa4c723c4aec018f3d6b86b8");
  CHECK(*findHeader(r.headers, "Authorization") ==
        "OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea");
}

TEST_CASE("V4-3 additional headers", "[signer][v4]") {
  const std::string expected =
      "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,"
      "Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f";
  SignableRequest r = headerRequest();
  signOssV4(r, kAkSk, hangzhou({"ZAbc", "abc"}), 1702747512);
  CHECK(*findHeader(r.headers, "Authorization") == expected);
  CHECK(sha256Hex(ossV4CanonicalRequest(r, {"abc", "zabc"})) ==
        "16b86004ed2cc3406dd7a13081bd940ef6a5ad49e508da2d4fdf84e8a5dd2145");
  SignableRequest r2 = headerRequest();
  signOssV4(r2, kAkSk, hangzhou({"x-oss-no-exist", "ZAbc", "x-oss-head1", "abc"}), 1702747512);
  CHECK(*findHeader(r2.headers, "Authorization") == expected);
}

TEST_CASE("V4-4..V4-7 presigned query", "[signer][v4][presign]") {
  SECTION("V4-4 plain") {
    QueryParams q = presignOssV4(presignRequest(), kAkSk, hangzhou(), 1702781677, 1702782276 - 1702781677);
    CHECK(param(q, "x-oss-signature-version") == "OSS4-HMAC-SHA256");
    CHECK(param(q, "x-oss-date") == "20231217T025437Z");
    CHECK(param(q, "x-oss-expires") == "599");
    CHECK(param(q, "x-oss-credential") == "ak/20231217/cn-hangzhou/oss/aliyun_v4_request");
    CHECK(param(q, "x-oss-additional-headers") == "<absent>");
    CHECK(param(q, "x-oss-signature") == "a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe");
    SignableRequest withQuery = presignRequest();
    withQuery.query.insert(withQuery.query.end(), q.begin(), q.end() - 1);
    CHECK(ossV4CanonicalRequest(withQuery, {}) ==
          "PUT\n/bucket/1234%2B-/123/1.txt\n%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&"
          "param2&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&"
          "x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256\ncontent-type:application/octet-stream\nx-oss-"
          "head1:value\n\n\nUNSIGNED-PAYLOAD");
  }
  SECTION("V4-5 with token") {
    QueryParams q = presignOssV4(presignRequest(), kAkSkToken, hangzhou(), 1702785388, 599);
    CHECK(param(q, "x-oss-date") == "20231217T035628Z");
    CHECK(param(q, "x-oss-security-token") == "token");
    CHECK(param(q, "x-oss-signature") == "3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5");
  }
  SECTION("V4-6 additional headers") {
    QueryParams q = presignOssV4(presignRequest(), kAkSk, hangzhou({"ZAbc", "abc"}), 1702783809, 599);
    CHECK(param(q, "x-oss-date") == "20231217T033009Z");
    CHECK(param(q, "x-oss-additional-headers") == "abc;zabc");
    CHECK(param(q, "x-oss-signature") == "6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7");
  }
  SECTION("V4-7 long expiration") {
    QueryParams q = presignOssV4(presignRequest(), kAkSk, hangzhou(), 1702781677, 432000);
    CHECK(param(q, "x-oss-expires") == "432000");
    CHECK(param(q, "x-oss-signature") == "31029123dc7732d2d2cfd4006ea4fdb6cf86da6478f813e2bf8f87877c7b9fec");
  }
}

TEST_CASE("V4-8/V4-9 CloudBox product", "[signer][v4]") {
  OssV4Params cb{"cb-123", "oss-cloudbox", {}};
  SignableRequest r = headerRequest();
  signOssV4(r, kAkSk, cb, 1702743657);
  CHECK(*findHeader(r.headers, "Authorization") ==
        "OSS4-HMAC-SHA256 Credential=ak/20231216/cb-123/oss-cloudbox/aliyun_v4_request,"
        "Signature=94ce1f12c17d148ea681030275a94449d3357f5b5b21133996eec80af3e08a43");
  cb.additionalHeaders = {"ZAbc", "abc"};
  QueryParams q = presignOssV4(presignRequest(), kAkSk, cb, 1702781677, 599);
  CHECK(param(q, "x-oss-credential") == "ak/20231217/cb-123/oss-cloudbox/aliyun_v4_request");
  CHECK(param(q, "x-oss-signature") == "07284191b9b4978ac3520cd39ee2dea2747eda454089359371ff463a6c7ba20f");
}

TEST_CASE("Derived V4 vectors: STS GetObject with Range, ListObjectsV2", "[signer][v4]") {
  SignableRequest get;
  get.method = "GET";
  get.bucket = "examplebucket";
  get.key = "data/file 1.bin";
  get.headers = {{"Range", "bytes=0-1023"}};
  signOssV4(get, Credentials{"ak", "sk", "tok", std::nullopt}, hangzhou(), 1735689600);
  CHECK(ossV4CanonicalRequest(get, {}) ==
        "GET\n/examplebucket/data/file%201.bin\n\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20250101T000000Z\n"
        "x-oss-security-token:tok\n\n\nUNSIGNED-PAYLOAD");
  CHECK(*findHeader(get.headers, "Authorization") ==
        "OSS4-HMAC-SHA256 Credential=ak/20250101/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=40fa6ececb5cf8e16290e5a5b1de7eb0a513eaeb377c06a3959745f7dfa7f3ca");

  SignableRequest list;
  list.method = "GET";
  list.bucket = "examplebucket";
  list.query = {{"list-type", "2"},   {"prefix", "data/"},      {"delimiter", "/"},
                {"max-keys", "1000"}, {"encoding-type", "url"}, {"continuation-token", "abc=="}};
  signOssV4(list, kAkSk, hangzhou(), 1735689600);
  CHECK(ossV4CanonicalRequest(list, {}) ==
        "GET\n/examplebucket/\ncontinuation-token=abc%3D%3D&delimiter=%2F&encoding-type=url&list-type=2&max-keys=1000&"
        "prefix=data%2F\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20250101T000000Z\n\n\nUNSIGNED-PAYLOAD");
  CHECK(*findHeader(list.headers, "Authorization") ==
        "OSS4-HMAC-SHA256 Credential=ak/20250101/cn-hangzhou/oss/aliyun_v4_request,"
        "Signature=c309a86f21193e7f908d4578036043c67e5dada656816cba7fd5be0ceb207783");
}

TEST_CASE("V4 verification round trip as the emulator does it", "[signer][v4]") {
  SignableRequest r = headerRequest();
  signOssV4(r, kAkSkToken, hangzhou({"abc"}), 1702747512);
  auto parsed = parseAuthorization(*findHeader(r.headers, "Authorization"));
  REQUIRE(parsed.isOk());
  CHECK(parsed->scheme == ParsedAuthorization::Scheme::OssV4);
  CHECK(parsed->accessKeyId == "ak");
  CHECK(parsed->date == "20231216");
  CHECK(parsed->region == "cn-hangzhou");
  CHECK(parsed->product == "oss");
  CHECK(parsed->headers == std::vector<std::string>{"abc"});
  // The server rebuilds the request (headers as received, Authorization included) and recomputes.
  OssV4Params p{parsed->region, parsed->product, parsed->headers};
  CHECK(ossV4Authorization(r, kAkSkToken, p) == *findHeader(r.headers, "Authorization"));
  // A tampered header or a wrong secret no longer matches.
  SignableRequest tampered = r;
  setHeader(tampered.headers, "abc", "other");
  CHECK(ossV4Authorization(tampered, kAkSkToken, p) != *findHeader(r.headers, "Authorization"));
  CHECK(ossV4Authorization(r, Credentials{"ak", "wrong", "token", std::nullopt}, p) !=
        *findHeader(r.headers, "Authorization"));

  // Presigned: the server sees all query params, x-oss-signature included.
  SignableRequest pre = presignRequest();
  QueryParams q = presignOssV4(pre, kAkSkToken, hangzhou({"abc"}), 1702781677, 599);
  pre.query.insert(pre.query.end(), q.begin(), q.end());
  CHECK(ossV4PresignSignature(pre, "sk") == param(q, "x-oss-signature"));
  CHECK(ossV4PresignSignature(pre, "bad") != param(q, "x-oss-signature"));
}
