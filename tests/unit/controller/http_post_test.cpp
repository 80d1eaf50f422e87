// The controller's OpenAPI transport: proxy selection from the environment
// (as curl does it), and a POST against a local one-request server: method,
// target, headers and body arrive, status and body come back; no answer
// gives Unavailable without the URL or body in the message.
#include <catch2/catch.hpp>

#include <map>

#include "http_post.h"
#include "local_http.h"

using namespace ossvp;
using namespace ossvp::controller;
using namespace ossvp::controller::testing;

namespace {

EnvLookup envOf(std::map<std::string, std::string> vars) {
  auto shared = std::make_shared<std::map<std::string, std::string>>(std::move(vars));
  return [shared](const char* name) -> const char* {
    auto it = shared->find(name);
    return it == shared->end() ? nullptr : it->second.c_str();
  };
}
}  // namespace

TEST_CASE("proxyForUrl: scheme variables, all_proxy fallback, no_proxy", "[http_post]") {
  const std::string nas = "https://nas.cn-hangzhou.aliyuncs.com/?Action=X";
  CHECK(proxyForUrl(nas, envOf({})).empty());
  CHECK(proxyForUrl(nas, envOf({{"HTTPS_PROXY", "http://p:3128"}})) == "http://p:3128");
  CHECK(proxyForUrl(nas, envOf({{"https_proxy", "p1:3128"}, {"HTTPS_PROXY", "http://p2:3128"}})) == "http://p1:3128");
  // http URLs: lower-case http_proxy only, as curl.
  CHECK(proxyForUrl("http://127.0.0.1:9/", envOf({{"HTTP_PROXY", "http://p:1"}})).empty());
  CHECK(proxyForUrl("http://127.0.0.1:9/", envOf({{"http_proxy", "http://p:1"}})) == "http://p:1");
  CHECK(proxyForUrl(nas, envOf({{"ALL_PROXY", "http://all:1"}})) == "http://all:1");
  // no_proxy: exact host, domain suffix with or without the dot, "*".
  for (const char* np : {"aliyuncs.com", ".aliyuncs.com", "x, nas.cn-hangzhou.aliyuncs.com", "*"}) {
    CHECK(proxyForUrl(nas, envOf({{"https_proxy", "http://p:1"}, {"no_proxy", np}})).empty());
  }
  CHECK(proxyForUrl(nas, envOf({{"https_proxy", "http://p:1"}, {"NO_PROXY", "yuncs.com"}})) == "http://p:1");
  CHECK(proxyForUrl("https://user@[::1]:8443/x", envOf({{"https_proxy", "http://p:1"}, {"no_proxy", "::1"}})).empty());
}

TEST_CASE("httpPost sends the body and headers and returns the answer", "[http_post]") {
  OneShotServer server;
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  auto denied = httpPost(base + "/sts?Action=AssumeRoleWithOIDC&Token=a%2Fb",
                         {"Content-Type: text/x-test", "X-Extra: 1"}, "a=1&b=2", std::chrono::seconds(5));
  server.join();
  REQUIRE(denied.isOk());
  CHECK(denied->status == 403);
  CHECK(denied->body == R"({"Code":"Denied"})");
  CHECK(server.request.method() == http::verb::post);
  CHECK(server.request.target() == "/sts?Action=AssumeRoleWithOIDC&Token=a%2Fb");
  CHECK(server.request[http::field::content_type] == "text/x-test");
  CHECK(server.request["X-Extra"] == "1");
  CHECK(server.request.body() == "a=1&b=2");
}

TEST_CASE("httpPost: an empty POST is form-encoded, as curl sends it", "[http_post]") {
  OneShotServer server;
  auto reply =
      httpPost("http://127.0.0.1:" + std::to_string(server.port()) + "/?Action=X", {}, "", std::chrono::seconds(5));
  server.join();
  REQUIRE(reply.isOk());
  CHECK(server.request[http::field::content_type] == "application/x-www-form-urlencoded");
  CHECK(server.request[http::field::content_length] == "0");
}

TEST_CASE("httpPost: no answer is Unavailable, and messages hold neither URL nor body", "[http_post]") {
  int port = 0;
  {
    boost::asio::io_context io;
    tcp::acceptor closed(io, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    port = closed.local_endpoint().port();
  }  // nothing listens on `port` any more
  auto refused =
      httpPost("http://127.0.0.1:" + std::to_string(port) + "/sts", {}, "secret-body", std::chrono::seconds(5));
  REQUIRE_FALSE(refused.isOk());
  CHECK(refused.status().code() == StatusCode::Unavailable);
  CHECK(refused.status().message().find("secret-body") == std::string::npos);

  auto bad = httpPost("not a url?Signature=s3cr3t", {}, "", std::chrono::seconds(5));
  REQUIRE_FALSE(bad.isOk());
  CHECK(bad.status().message().find("s3cr3t") == std::string::npos);
}
