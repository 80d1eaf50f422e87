// HttpEndpoint: the controller's small HTTP/1.1 server (Boost.Beast) for the
// probes (/healthz, /readyz) and Prometheus metrics (/metrics). GET and HEAD
// of a registered path run its handler; another path answers 404, another
// method 405. Keep-alive is honoured; a client that sends nothing for 5 s is
// disconnected. Binds HOST:PORT (port 0 picks a free port; port() tells
// which).
//
// Thread-safety: handlers run on the server's one thread; register them with
// handle() before start(); start/stop from one thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "ossvp/common/status.h"

namespace ossvp::controller {

struct HttpReply {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
};

class HttpEndpoint {
 public:
  using Handler = std::function<HttpReply()>;
  HttpEndpoint();
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  void handle(const std::string& path, Handler h) { handlers_[path] = std::move(h); }
  // `address` "HOST:PORT" (e.g. 127.0.0.1:0, 0.0.0.0:8080, [::1]:9090).
  Status start(const std::string& address);
  void stop();  // idempotent; open connections are closed
  int port() const { return port_; }

 private:
  struct Server;
  std::map<std::string, Handler> handlers_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
};

}  // namespace ossvp::controller
