// The controller's HTTP server: probe and metrics paths answer with their
// handler's status, unknown paths 404, other methods 405, keep-alive works,
// and bad addresses are refused with a usable message. The client is a
// plain Boost.Beast one, independent of the server's code.
#include <catch2/catch.hpp>

#include "local_http.h"
#include "ossvp/controller/http_endpoint.h"

using namespace ossvp;
using namespace ossvp::controller;
using namespace ossvp::controller::testing;

namespace {

http::response<http::string_body> get(int port, const std::string& target) {
  return LocalHttpClient(port).send(http::verb::get, target);
}

void serveProbes(HttpEndpoint& server, bool ready) {
  server.handle("/healthz", [] { return HttpReply{200, "text/plain; charset=utf-8", "ok\n"}; });
  server.handle("/readyz", [ready] {
    return ready ? HttpReply{200, "text/plain; charset=utf-8", "ok\n"}
                 : HttpReply{503, "text/plain; charset=utf-8", "informer caches not synced yet\n"};
  });
  server.handle("/metrics", [] { return HttpReply{200, "text/plain; version=0.0.4; charset=utf-8", "ossvp_up 1\n"}; });
}

}  // namespace

TEST_CASE("HttpEndpoint answers /metrics, /healthz, /readyz with their handlers' status", "[http_endpoint]") {
  HttpEndpoint server;
  serveProbes(server, false);
  REQUIRE(server.start("127.0.0.1:0").isOk());
  REQUIRE(server.port() > 0);

  auto metrics = get(server.port(), "/metrics");
  CHECK(metrics.result_int() == 200);
  CHECK(metrics[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(metrics.body() == "ossvp_up 1\n");

  auto healthz = get(server.port(), "/healthz");
  CHECK(healthz.result_int() == 200);
  CHECK(healthz.body() == "ok\n");

  auto readyz = get(server.port(), "/readyz");
  CHECK(readyz.result_int() == 503);
  CHECK(readyz.body() == "informer caches not synced yet\n");

  // The query string is not part of the path.
  CHECK(get(server.port(), "/healthz?verbose=1").result_int() == 200);
}

TEST_CASE("HttpEndpoint: unknown path 404, other methods 405, HEAD has no body", "[http_endpoint]") {
  HttpEndpoint server;
  serveProbes(server, true);
  REQUIRE(server.start("127.0.0.1:0").isOk());

  auto missing = get(server.port(), "/metricz");
  CHECK(missing.result_int() == 404);
  CHECK(missing.body() == "not found\n");

  auto post = LocalHttpClient(server.port()).send(http::verb::post, "/metrics");
  CHECK(post.result_int() == 405);
  CHECK(post[http::field::allow] == "GET, HEAD");

  auto head = LocalHttpClient(server.port()).send(http::verb::head, "/readyz");
  CHECK(head.result_int() == 200);
  CHECK(head[http::field::content_length] == "3");
  CHECK(head.body().empty());
}

TEST_CASE("HttpEndpoint serves several requests on one keep-alive connection", "[http_endpoint]") {
  HttpEndpoint server;
  serveProbes(server, true);
  REQUIRE(server.start("127.0.0.1:0").isOk());
  LocalHttpClient client(server.port());
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/nope"}) {
    auto res = client.send(http::verb::get, path, true);
    CHECK(res.result_int() == (std::string(path) == "/nope" ? 404 : 200));
    CHECK(res.keep_alive());
  }
}

TEST_CASE("HttpEndpoint refuses bad addresses and a second start, stop closes the port", "[http_endpoint]") {
  HttpEndpoint server;
  for (const char* bad : {"8080", "localhost:8080", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:80x"}) {
    Status st = server.start(bad);
    CHECK(st.code() == StatusCode::InvalidArgument);
    CHECK(st.message().find("HOST:PORT") != std::string::npos);
  }
  REQUIRE(server.start(":0").isOk());
  const int port = server.port();
  CHECK(get(port, "/healthz").result_int() == 404);  // no handler registered
  CHECK(server.start("127.0.0.1:0").code() == StatusCode::PreconditionFailed);

  HttpEndpoint taken;
  Status busy = taken.start("127.0.0.1:" + std::to_string(port));
  CHECK(busy.code() == StatusCode::Unavailable);
  CHECK(busy.message().find("cannot listen on 127.0.0.1:" + std::to_string(port)) != std::string::npos);

  server.stop();
  server.stop();  // idempotent
  CHECK_THROWS(LocalHttpClient(port));
}
