#include <catch2/catch.hpp>

#include "endpoint.h"
#include "ossvp/ossclient/client_options.h"

using namespace ossvp;
using namespace ossvp::ossclient;

namespace {
ClientOptions normalized(ClientOptions o) {
  auto r = normalizeOptions(std::move(o));
  REQUIRE(r.isOk());
  return *r;
}
ClientOptions withEndpoint(const std::string& e) {
  ClientOptions o;
  o.endpoint = e;
  o.region = "cn-hangzhou";
  return o;
}
}  // namespace

TEST_CASE("endpoint: virtual-hosted by default, https default scheme", "[endpoint]") {
  ClientOptions o = normalized(withEndpoint("oss-cn-hangzhou.aliyuncs.com"));
  CHECK(o.endpoint == "https://oss-cn-hangzhou.aliyuncs.com");
  RequestTarget t = resolveTarget(o, "bkt", "dir/a b+c.txt", "x=1");
  CHECK(t.url == "https://bkt.oss-cn-hangzhou.aliyuncs.com/dir/a%20b%2Bc.txt?x=1");
  CHECK(t.hostHeader == "bkt.oss-cn-hangzhou.aliyuncs.com");
  CHECK(t.path == "/dir/a b+c.txt");
  CHECK_FALSE(t.overridden);
  CHECK(resolveTarget(o, "bkt", "", "list-type=2").url == "https://bkt.oss-cn-hangzhou.aliyuncs.com/?list-type=2");
}

TEST_CASE("endpoint: path style explicitly and automatically for IPs and localhost", "[endpoint]") {
  ClientOptions o = withEndpoint("oss-cn-hangzhou.aliyuncs.com");
  o.urlStyle = UrlStyle::Path;
  RequestTarget t = resolveTarget(normalized(o), "bkt", "k", "");
  CHECK(t.url == "https://oss-cn-hangzhou.aliyuncs.com/bkt/k");
  CHECK(t.hostHeader == "oss-cn-hangzhou.aliyuncs.com");
  CHECK(t.path == "/bkt/k");
  CHECK(resolveTarget(normalized(withEndpoint("http://127.0.0.1:9000")), "bkt", "k", "").url ==
        "http://127.0.0.1:9000/bkt/k");
  CHECK(resolveTarget(normalized(withEndpoint("http://localhost:9000/")), "bkt", "k", "").hostHeader ==
        "localhost:9000");
  CHECK(resolveTarget(normalized(withEndpoint("http://[::1]:9000")), "bkt", "", "").url == "http://[::1]:9000/bkt/");
  CHECK(isIpOrLocalHost("10.0.0.1:80"));
  CHECK_FALSE(isIpOrLocalHost("oss-cn-hangzhou.aliyuncs.com"));
  CHECK_FALSE(isIpOrLocalHost("1.2.3.example.com"));
}

TEST_CASE("endpoint: overrides keep the virtual-hosted Host header", "[endpoint]") {
  ClientOptions o = withEndpoint("oss-cn-hangzhou-internal.aliyuncs.com");
  auto ov = parseEndpointOverride("OSS-cn-hangzhou-internal.aliyuncs.com=http://127.0.0.1:9000/");
  REQUIRE(ov.isOk());
  CHECK(ov->host == "oss-cn-hangzhou-internal.aliyuncs.com");
  CHECK(ov->url == "http://127.0.0.1:9000");
  o.endpointOverrides = {*ov};
  RequestTarget t = resolveTarget(normalized(o), "bkt", "k", "");
  CHECK(t.overridden);
  CHECK(t.url == "http://127.0.0.1:9000/k");
  CHECK(t.hostHeader == "bkt.oss-cn-hangzhou-internal.aliyuncs.com");

  // An override for one exact virtual host; others are untouched.
  o.endpointOverrides = {*parseEndpointOverride("other.oss-cn-hangzhou-internal.aliyuncs.com=127.0.0.1:1")};
  CHECK_FALSE(resolveTarget(normalized(o), "bkt", "k", "").overridden);
  CHECK(resolveTarget(normalized(o), "other", "k", "").url == "http://127.0.0.1:1/k");
  CHECK(overrideFor({*ov}, "evil-oss-cn-hangzhou-internal.aliyuncs.com").empty());

  CHECK_FALSE(parseEndpointOverride("no-equals").isOk());
  CHECK_FALSE(parseEndpointOverride("=http://x").isOk());
  CHECK_FALSE(parseEndpointOverride("h=ftp://x").isOk());
}

TEST_CASE("options: region from endpoint, validation", "[endpoint]") {
  CHECK(regionFromEndpoint("oss-cn-hangzhou.aliyuncs.com") == "cn-hangzhou");
  CHECK(regionFromEndpoint("https://oss-cn-hangzhou-internal.aliyuncs.com") == "cn-hangzhou");
  CHECK(regionFromEndpoint("bkt.oss-ap-southeast-1.aliyuncs.com") == "ap-southeast-1");
  CHECK(regionFromEndpoint("cn-beijing.oss.aliyuncs.com") == "cn-beijing");
  CHECK(regionFromEndpoint("oss-accelerate.aliyuncs.com").empty());
  CHECK(regionFromEndpoint("http://127.0.0.1:9000").empty());

  ClientOptions o;
  o.endpoint = "oss-cn-shanghai.aliyuncs.com";
  CHECK(normalized(o).region == "cn-shanghai");
  o.endpoint = "http://127.0.0.1:9000";
  auto noRegion = normalizeOptions(o);
  REQUIRE_FALSE(noRegion.isOk());
  CHECK(noRegion.status().message().find("region") != std::string::npos);
  o.signatureVersion = SignatureVersion::V1;
  CHECK(normalizeOptions(o).isOk());
  o.endpoint = "";
  CHECK_FALSE(normalizeOptions(o).isOk());
  o.endpoint = "ftp://x";
  CHECK_FALSE(normalizeOptions(o).isOk());
  o = withEndpoint("http://127.0.0.1:1");
  o.region = "oss-cn-hangzhou";
  CHECK(normalized(o).region == "cn-hangzhou");

  CHECK(*parseSignatureVersion("V4") == SignatureVersion::V4);
  CHECK(*parseSignatureVersion("v1") == SignatureVersion::V1);
  CHECK(*parseSignatureVersion("s3v4") == SignatureVersion::S3V4);
  CHECK_FALSE(parseSignatureVersion("v2").isOk());
}
