#include <catch2/catch.hpp>

#include <cstring>

#include "body_bytes.h"
#include "ossvp/common/percent_encoding.h"
#include "ossvp/ossclient/crc64.h"
#include "ossvp/ossemu/list_token.h"
#include "ossvp/ossemu/oss_service.h"

using namespace ossvp::ossemu;

namespace {

class StringBody : public BodySource {
 public:
  explicit StringBody(std::string s = "") : s_(std::move(s)) {}
  long read(char* out, unsigned long n) override {
    size_t k = std::min<size_t>(n, s_.size() - pos_);
    std::memcpy(out, s_.data() + pos_, k);
    pos_ += k;
    return static_cast<long>(k);
  }

 private:
  std::string s_;
  size_t pos_ = 0;
};

struct Fixture {
  std::unique_ptr<Storage> storage;
  std::unique_ptr<OssService> svc;
  explicit Fixture(EtagDigest digest = EtagDigest::Md5) {
    storage = Storage::open(StorageOptions{"", true, "cn-hangzhou", digest}).value();
    svc = std::make_unique<OssService>(*storage, "cn-hangzhou");
  }
  HttpResponse run(const std::string& method, const std::string& target, KeyValues headers = {},
                   const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.target = target;
    size_t q = target.find('?');
    r.rawPath = target.substr(0, q);
    r.rawQuery = q == std::string::npos ? "" : target.substr(q + 1);
    r.query = parseQuery(r.rawQuery);
    r.headers = std::move(headers);
    r.headers.emplace_back("host", "127.0.0.1:1");
    if (method == "PUT") r.headers.emplace_back("content-length", std::to_string(body.size()));
    OssCall c = svc->classify(r);
    c.requestId = "RID";
    StringBody b(body);
    HttpResponse resp;
    svc->execute(r, c, b, &resp);
    return resp;
  }
};

}  // namespace

TEST_CASE("classify: virtual-hosted and path style, operations") {
  Fixture f;
  HttpRequest r;
  r.method = "GET";
  r.rawPath = "/dir/a%20b";
  r.headers = {{"host", "bench.oss-cn-hangzhou.localhost:8080"}};
  OssCall c = f.svc->classify(r);
  CHECK(c.target.bucket == "bench");
  CHECK(c.target.key == "dir/a b");
  CHECK(c.operation == "GetObject");
  r.headers = {{"host", "127.0.0.1:8080"}};
  c = f.svc->classify(r);
  CHECK(c.target.bucket == "dir");
  CHECK(c.target.key == "a b");
  r.headers = {{"host", "oss-cn-hangzhou.localhost"}};
  r.rawPath = "/bkt/";
  r.query = parseQuery("list-type=2");
  CHECK(f.svc->classify(r).operation == "ListObjectsV2");
}

TEST_CASE("GetObject ranges: OSS legacy vs standard behaviour") {
  Fixture f;
  REQUIRE(f.run("PUT", "/bkt").status == 200);
  REQUIRE(f.run("PUT", "/bkt/k", {}, "0123456789").status == 200);
  auto r = f.run("GET", "/bkt/k", {{"range", "bytes=2-4"}});
  CHECK(r.status == 206);
  CHECK(bodyBytes(r) == "234");
  CHECK(*r.header("Content-Range") == "bytes 2-4/10");
  CHECK(bodyBytes(f.run("GET", "/bkt/k", {{"range", "bytes=-3"}})) == "789");
  CHECK(bodyBytes(f.run("GET", "/bkt/k", {{"range", "bytes=7-"}})) == "789");
  r = f.run("GET", "/bkt/k", {{"range", "bytes=5-20"}});  // legacy: whole object
  CHECK(r.status == 200);
  CHECK(bodyBytes(r) == "0123456789");
  r = f.run("GET", "/bkt/k", {{"range", "bytes=5-20"}, {"x-oss-range-behavior", "standard"}});
  CHECK(r.status == 206);
  CHECK(bodyBytes(r) == "56789");
  r = f.run("GET", "/bkt/k", {{"range", "bytes=10-20"}, {"x-oss-range-behavior", "standard"}});
  CHECK(r.status == 416);
  CHECK(r.body.find("<Code>InvalidRange</Code>") != std::string::npos);
  CHECK(f.run("GET", "/bkt/k", {{"range", "bytes=10-20"}}).status == 200);
}

TEST_CASE("multipart object through the API: HEAD, ranged GETs across parts, copy") {
  Fixture f;
  REQUIRE(f.run("PUT", "/bkt").status == 200);
  auto init = f.run("POST", "/bkt/mp?uploads");
  REQUIRE(init.status == 200);
  size_t a = init.body.find("<UploadId>") + 10;
  std::string id = init.body.substr(a, init.body.find('<', a) - a);
  const size_t partSize = 100 * 1024;
  std::string whole, xml = "<CompleteMultipartUpload>";
  for (int n = 1; n <= 3; ++n) {
    std::string data(n < 3 ? partSize : 10, static_cast<char>('0' + n));
    auto r = f.run("PUT", "/bkt/mp?partNumber=" + std::to_string(n) + "&uploadId=" + id, {}, data);
    REQUIRE(r.status == 200);
    xml += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + *r.header("ETag") + "</ETag></Part>";
    whole += data;
  }
  REQUIRE(f.run("POST", "/bkt/mp?uploadId=" + id, {}, xml + "</CompleteMultipartUpload>").status == 200);
  auto h = f.run("HEAD", "/bkt/mp");
  REQUIRE(h.status == 200);
  CHECK(*h.header("x-oss-hash-crc64ecma") == std::to_string(ossvp::ossclient::crc64(whole)));
  CHECK(*h.header("Content-Length") == std::to_string(whole.size()));
  CHECK(*h.header("x-oss-object-type") == "Multipart");
  auto g = f.run("GET", "/bkt/mp");
  CHECK(g.slices.size() == 3);
  CHECK(g.contentLength() == whole.size());
  CHECK(bodyBytes(g) == whole);
  auto r = f.run("GET", "/bkt/mp",
                 {{"range", "bytes=" + std::to_string(partSize - 2) + "-" + std::to_string(2 * partSize + 1)}});
  CHECK(r.status == 206);
  CHECK(r.slices.size() == 3);
  CHECK(bodyBytes(r) == whole.substr(partSize - 2, partSize + 4));
  REQUIRE(f.run("PUT", "/bkt/cp", {{"x-oss-copy-source", "/bkt/mp"}}).status == 200);
  REQUIRE(f.run("DELETE", "/bkt/mp").status == 204);
  auto c = f.run("GET", "/bkt/cp");
  CHECK(bodyBytes(c) == whole);
  CHECK(*c.header("ETag") == *h.header("ETag"));
  CHECK(*c.header("x-oss-hash-crc64ecma") == *h.header("x-oss-hash-crc64ecma"));
}

TEST_CASE("object headers, conditionals and errors") {
  Fixture f;
  f.run("PUT", "/bkt");
  f.run("PUT", "/bkt/k", {{"x-oss-meta-color", "blue"}}, "123456789");
  auto h = f.run("HEAD", "/bkt/k");
  CHECK(h.status == 200);
  CHECK(*h.header("x-oss-hash-crc64ecma") == "11051210869376104954");
  CHECK(*h.header("ETag") == "\"25F9E794323B453885F5181F1B624D0B\"");
  CHECK(*h.header("Content-Length") == "9");
  CHECK(*h.header("x-oss-meta-color") == "blue");
  CHECK(*h.header("x-oss-request-id") == "RID");
  CHECK(h.header("Last-Modified") != nullptr);
  CHECK(f.run("GET", "/bkt/k", {{"if-none-match", *h.header("ETag")}}).status == 304);
  CHECK(f.run("GET", "/bkt/k", {{"if-match", "\"x\""}}).status == 412);
  auto e = f.run("GET", "/bkt/missing");
  CHECK(e.status == 404);
  CHECK(e.body.find("<Code>NoSuchKey</Code>") != std::string::npos);
  CHECK(e.body.find("<RequestId>RID</RequestId>") != std::string::npos);
  e = f.run("HEAD", "/nob/k");
  CHECK(e.status == 404);
  CHECK(e.header("x-oss-err") != nullptr);
  CHECK(e.body.empty());
  CHECK(f.run("PUT", "/bkt/k2", {{"content-md5", "AAAAAAAAAAAAAAAAAAAAAA=="}}, "x").status == 400);
}

TEST_CASE("ETag digest crc64: ETags from CRC64 and size, the MD5 only when the client sends Content-MD5") {
  Fixture f(EtagDigest::Crc64);
  f.run("PUT", "/bkt");
  // CRC64 0x995DC9BBDF1939FA and size 9, big-endian, then "-0".
  const std::string crcEtag = "\"995DC9BBDF1939FA0000000000000009-0\"";
  auto put = f.run("PUT", "/bkt/k", {}, "123456789");
  CHECK(put.status == 200);
  CHECK(*put.header("ETag") == crcEtag);
  CHECK(put.header("Content-MD5") == nullptr);
  auto get = f.run("GET", "/bkt/k");
  CHECK(bodyBytes(get) == "123456789");
  CHECK(*get.header("ETag") == crcEtag);
  CHECK(get.header("Content-MD5") == nullptr);
  CHECK(*get.header("x-oss-hash-crc64ecma") == "11051210869376104954");
  CHECK(f.run("GET", "/bkt/k", {{"if-none-match", crcEtag}}).status == 304);

  auto withMd5 = f.run("PUT", "/bkt/m", {{"content-md5", "JfnnlDI7RTiF9RgfG2JNCw=="}}, "123456789");
  CHECK(withMd5.status == 200);
  CHECK(*withMd5.header("ETag") == "\"25F9E794323B453885F5181F1B624D0B\"");
  CHECK(*withMd5.header("Content-MD5") == "JfnnlDI7RTiF9RgfG2JNCw==");
  CHECK(f.run("PUT", "/bkt/bad", {{"content-md5", "AAAAAAAAAAAAAAAAAAAAAA=="}}, "x").status == 400);
  CHECK(f.run("HEAD", "/bkt/bad").status == 404);

  // Multipart: parts get crc64 ETags, Complete takes them back.
  auto init = f.run("POST", "/bkt/mp?uploads");
  size_t a = init.body.find("<UploadId>") + 10;
  std::string id = init.body.substr(a, init.body.find("</UploadId>") - a);
  std::string p1(100 * 1024, 'a'), p2 = "tail";
  auto r1 = f.run("PUT", "/bkt/mp?partNumber=1&uploadId=" + id, {}, p1);
  auto r2 = f.run("PUT", "/bkt/mp?partNumber=2&uploadId=" + id, {}, p2);
  REQUIRE(r1.status == 200);
  REQUIRE(r2.status == 200);
  CHECK(r1.header("ETag")->substr(33) == "-0\"");
  CHECK(r1.header("Content-MD5") == nullptr);
  std::string xml = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" + *r1.header("ETag") +
                    "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" + *r2.header("ETag") +
                    "</ETag></Part></CompleteMultipartUpload>";
  auto done = f.run("POST", "/bkt/mp?uploadId=" + id, {}, xml);
  REQUIRE(done.status == 200);
  CHECK(bodyBytes(f.run("GET", "/bkt/mp")) == p1 + p2);
  CHECK(f.run("HEAD", "/bkt/mp").header("ETag")->substr(33) == "-2\"");
}

TEST_CASE("ListObjects V2 with encoding-type=url and continuation") {
  Fixture f;
  f.run("PUT", "/bkt");
  for (const char* k : {"a+b", "a b", "c/d"}) f.run("PUT", std::string("/bkt/") + k, {}, "x");
  auto r = f.run("GET", "/bkt/?list-type=2&encoding-type=url&max-keys=2");
  CHECK(r.body.find("<Key>a%20b</Key>") != std::string::npos);
  CHECK(r.body.find("<Key>a%2Bb</Key>") != std::string::npos);
  CHECK(r.body.find("<IsTruncated>true</IsTruncated>") != std::string::npos);
  CHECK(r.body.find("<KeyCount>2</KeyCount>") != std::string::npos);
  size_t a = r.body.find("<NextContinuationToken>") + 23;
  std::string token = r.body.substr(a, r.body.find('<', a) - a);
  r = f.run("GET", "/bkt/?list-type=2&continuation-token=" + token);
  CHECK(r.body.find("<Key>c/d</Key>") != std::string::npos);
  CHECK(r.body.find("<IsTruncated>false</IsTruncated>") != std::string::npos);
}

TEST_CASE("ListObjects V2 continuation tokens are URL-safe and accepted however escaped") {
  Fixture f;
  f.run("PUT", "/bkt");
  // Key lengths 1..6 cover every base64 padding; the bytes give '+' and '/' in standard base64.
  std::vector<std::string> keys = {"a", "b>", "c>?", "d>?~", "e\xfb\xff", "f=/+ %"};
  for (const auto& k : keys) f.run("PUT", "/bkt/" + ossvp::percentEncode(k, ossvp::SlashEncoding::kKeep), {}, "x");
  std::vector<std::string> seen;
  std::string query = "list-type=2&max-keys=1&encoding-type=url";
  for (int page = 0; page < 10; ++page) {
    auto r = f.run("GET", "/bkt/?" + query);
    REQUIRE(r.status == 200);
    size_t k = r.body.find("<Key>");
    REQUIRE(k != std::string::npos);
    seen.push_back(ossvp::percentDecode(r.body.substr(k + 5, r.body.find('<', k + 5) - k - 5)));
    size_t t = r.body.find("<NextContinuationToken>");
    if (t == std::string::npos) break;
    std::string token = r.body.substr(t + 23, r.body.find('<', t + 23) - t - 23);
    INFO("token " << token);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") ==
          std::string::npos);
    CHECK(decodeListToken(token) == seen.back());
    // Escaped or not, the same token: alternate plain and every-byte-escaped.
    std::string sent = token;
    if (page % 2) {
      sent.clear();
      static const char* kHex = "0123456789ABCDEF";
      for (unsigned char c : token) {
        sent.push_back('%');
        sent.push_back(kHex[c >> 4]);
        sent.push_back(kHex[c & 15]);
      }
    }
    query = "list-type=2&max-keys=1&encoding-type=url&continuation-token=" + sent;
    auto echo = f.run("GET", "/bkt/?" + query);
    CHECK(echo.body.find("<ContinuationToken>" + token + "</ContinuationToken>") != std::string::npos);
  }
  CHECK(seen == keys);
  for (const char* bad : {"YQ==", "YQ", "CgFh=", "CgFh+", "CgJh", "%", ""}) {
    auto r = f.run("GET", std::string("/bkt/?list-type=2&continuation-token=") + bad);
    INFO("token " << bad);
    CHECK(r.status == 400);
    CHECK(r.body.find("<Code>InvalidArgument</Code>") != std::string::npos);
  }
}
