// OSS V1 signing: the official SDKs' published test vectors, exactly.
#include <catch2/catch.hpp>

#include "ossvp/common/percent_encoding.h"
#include "ossvp/ossclient/signer.h"
#include "ossvp/ossclient/time_format.h"

using namespace ossvp::ossclient;

namespace {

const Credentials kAkSk{"ak", "sk", "", std::nullopt};
const Credentials kAkSkToken{"ak", "sk", "token", std::nullopt};
const char* kDate = "Wed, 28 Dec 2022 10:27:41 GMT";

SignableRequest v1PutRequest() {
  SignableRequest r;
  r.method = "PUT";
  r.bucket = "examplebucket";
  r.key = "nelson";
  r.headers = {
      {"Content-MD5", "eB5eJF1ptWaXm4bijSPyxw=="}, {"Content-Type", "text/html"}, {"x-oss-meta-author", "alice"},
      {"x-oss-meta-magic", "abracadabra"},         {"x-oss-date", kDate},         {"Date", kDate}};
  return r;
}

std::string presignedUrl(const std::string& base, SignableRequest r, const QueryParams& added) {
  r.query.insert(r.query.end(), added.begin(), added.end());
  return base + ossvp::percentEncode("/" + r.key, ossvp::SlashEncoding::kKeep) + "?" + encodeQuery(r.query, true);
}

}  // namespace

TEST_CASE("V1-1 header auth PUT", "[signer][v1]") {
  SignableRequest r = v1PutRequest();
  CHECK(ossV1StringToSign(r, kDate) ==
        "PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 "
        "10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson");
  CHECK(ossV1Authorization(r, kAkSk) == "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
  // signOssV1 sets the Date header from the signing time and yields the same result.
  SignableRequest s = v1PutRequest();
  s.headers.erase("Date");
  signOssV1(s, kAkSk, *parseRfc1123(kDate));
  CHECK(*findHeader(s.headers, "authorization") == "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
}

TEST_CASE("V1-2 sub-resource acl", "[signer][v1]") {
  SignableRequest r = v1PutRequest();
  r.query = {{"acl", ""}};
  CHECK(ossV1StringToSign(r, kDate).size() > 0);
  CHECK(ossV1StringToSign(r, kDate).substr(ossV1StringToSign(r, kDate).size() - 25) == "/examplebucket/nelson?acl");
  CHECK(ossV1Authorization(r, kAkSk) == "OSS ak:/afkugFbmWDQ967j1vr6zygBLQk=");
}

TEST_CASE("V1-3/V1-4 declared extra sub-resource, unsigned params ignored", "[signer][v1]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "examplebucket";
  r.headers = {{"x-oss-date", kDate}, {"Date", kDate}};
  r.query = {{"resourceGroup", ""}, {"non-resousce", "null"}};
  CHECK(ossV1StringToSign(r, kDate, {"resourceGroup"}) ==
        "GET\n\n\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 "
        "GMT\n/examplebucket/?resourceGroup");
  CHECK(hmacSha1Base64("sk", ossV1StringToSign(r, kDate, {"resourceGroup"})) == "vkQmfuUDyi1uDi3bKt67oemssIs=");

  r.query = {{"resourceGroup", ""}, {"acl", ""}};
  std::string sts = ossV1StringToSign(r, kDate, {"resourceGroup"});
  CHECK(sts.substr(sts.find("/examplebucket")) == "/examplebucket/?acl&resourceGroup");
  CHECK(hmacSha1Base64("sk", sts) == "x3E5TgOvl/i7PN618s5mEvpJDYk=");
}

TEST_CASE("V1-5 presigned URL", "[signer][v1][presign]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "bucket";
  r.key = "key";
  r.query = {{"versionId", "versionId"}};
  auto added = presignOssV1(r, kAkSk, 1699807420);
  CHECK(presignedUrl("http://bucket.oss-cn-hangzhou.aliyuncs.com", r, added) ==
        "http://bucket.oss-cn-hangzhou.aliyuncs.com/key?Expires=1699807420&OSSAccessKeyId=ak&Signature=dcLTea%"
        "2BYh9ApirQ8o8dOPqtvJXQ%3D&versionId=versionId");
  CHECK(ossV1StringToSign(r, "1699807420") == "GET\n\n\n1699807420\n/bucket/key?versionId=versionId");
}

TEST_CASE("V1-6 presigned URL with STS token and an encoded key", "[signer][v1][presign]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "bucket";
  r.key = "key+123";
  r.query = {{"versionId", "versionId"}};
  auto added = presignOssV1(r, kAkSkToken, 1699808204);
  CHECK(presignedUrl("http://bucket.oss-cn-hangzhou.aliyuncs.com", r, added) ==
        "http://bucket.oss-cn-hangzhou.aliyuncs.com/key%2B123?Expires=1699808204&OSSAccessKeyId=ak&Signature="
        "jzKYRrM5y6Br0dRFPaTGOsbrDhY%3D&security-token=token&versionId=versionId");
}

TEST_CASE("V1-7 classic OSS documentation example", "[signer][v1]") {
  SignableRequest r;
  r.method = "PUT";
  r.bucket = "oss-example";
  r.key = "nelson";
  r.headers = {{"Content-Md5", "ODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM="},
               {"Content-Type", "text/html"},
               {"Date", "Thu, 17 Nov 2005 18:49:58 GMT"},
               {"X-OSS-Meta-Author", "foo@bar.com"},
               {"X-OSS-Magic", "abracadabra"},
               {"Host", "oss-example.oss-cn-hangzhou.aliyuncs.com"}};
  CHECK(ossV1StringToSign(r, "Thu, 17 Nov 2005 18:49:58 GMT") ==
        "PUT\nODBGOERFMDMzQTczRUY3NUE3NzA5QzdFNUYzMDQxNEM=\ntext/html\nThu, 17 Nov 2005 18:49:58 "
        "GMT\nx-oss-magic:abracadabra\nx-oss-meta-author:foo@bar.com\n/oss-example/nelson");
  Credentials c{"44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", "", std::nullopt};
  CHECK(ossV1Authorization(r, c) == "OSS 44CF9590006BF252F707:26NBxoKdsyly4EDv6inkoDft/yA=");
}

TEST_CASE("V1-8 classic presign example", "[signer][v1][presign]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "oss-example";
  r.key = "oss-api.pdf";
  Credentials c{"44CF9590006BF252F707", "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV", "", std::nullopt};
  QueryParams q = presignOssV1(r, c, 1141889120);
  CHECK(encodeQuery(q, false) ==
        "OSSAccessKeyId=44CF9590006BF252F707&Expires=1141889120&Signature=EwaNTn1erJGkimiJ9WmXgwnANLc%3D");
}

TEST_CASE("V1-9 presign signs content-type, x-oss headers and decoded sub-resource values", "[signer][v1][presign]") {
  SignableRequest r;
  r.method = "GET";
  r.bucket = "bucket";
  r.key = "key";
  r.headers = {{"x-oss-head1", "value"},
               {"abc", "value"},
               {"ZAbc", "value"},
               {"XYZ", "value"},
               {"content-type", "application/octet-stream"}};
  r.query = {{"versionId", "versionId?param1=value1"},
             {"response-content-disposition", "attachment; filename=example.txt"},
             {"+param1", "value3"},
             {"param2", ""}};
  QueryParams q = presignOssV1(r, kAkSkToken, 1699808204);
  SignableRequest withToken = r;
  withToken.query.emplace_back("security-token", "token");
  CHECK(ossV1StringToSign(withToken, "1699808204") ==
        "GET\n\napplication/octet-stream\n1699808204\nx-oss-head1:value\n/bucket/key?response-content-disposition="
        "attachment; filename=example.txt&security-token=token&versionId=versionId?param1=value1");
  std::string sig;
  for (const auto& [k, v] : q) {
    if (k == "Signature") sig = ossvp::percentEncode(v);
  }
  CHECK(sig == "3GJoEOv5LX2ASp0HJk%2FhAk%2BqLJc%3D");
}

TEST_CASE("Derived V1 vectors: list page 2 and STS GetObject", "[signer][v1]") {
  SignableRequest list;
  list.method = "GET";
  list.bucket = "examplebucket";
  list.query = {{"list-type", "2"}, {"continuation-token", "abc=="}, {"max-keys", "1000"}};
  const char* date = "Wed, 01 Jan 2025 00:00:00 GMT";
  CHECK(ossV1StringToSign(list, date) ==
        "GET\n\n\nWed, 01 Jan 2025 00:00:00 GMT\n/examplebucket/?continuation-token=abc==");
  CHECK(hmacSha1Base64("sk", ossV1StringToSign(list, date)) == "IEbqbc7vZHp2G3/9P6Km/Gilvic=");

  SignableRequest get;
  get.method = "GET";
  get.bucket = "examplebucket";
  get.key = "data/file 1.bin";
  signOssV1(get, Credentials{"ak", "sk", "tok", std::nullopt}, 1735689600);
  CHECK(*findHeader(get.headers, "Date") == date);
  CHECK(ossV1StringToSign(get, date) ==
        "GET\n\n\nWed, 01 Jan 2025 00:00:00 GMT\nx-oss-security-token:tok\n/examplebucket/data/file 1.bin");
  CHECK(*findHeader(get.headers, "Authorization") == "OSS ak:ANLmqfHGSWMd2GEHRYDtsE0p6bM=");
}

TEST_CASE("parseAuthorization: OSS V1 and AWS V2", "[signer]") {
  auto p = parseAuthorization("OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
  REQUIRE(p.isOk());
  CHECK(p->scheme == ParsedAuthorization::Scheme::OssV1);
  CHECK(p->accessKeyId == "ak");
  CHECK(p->signature == "kSHKmLxlyEAKtZPkJhG9bZb5k7M=");
  auto a = parseAuthorization("AWS AKID:c2ln");
  REQUIRE(a.isOk());
  CHECK(a->scheme == ParsedAuthorization::Scheme::AwsV2);
  CHECK(a->accessKeyId == "AKID");
  CHECK_FALSE(parseAuthorization("Bearer x").isOk());
  CHECK_FALSE(parseAuthorization("OSS nocolon").isOk());
}
