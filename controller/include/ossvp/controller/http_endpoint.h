// HttpEndpoint: a minimal HTTP/1.0 GET server for the controller's probes
// (/healthz, /readyz) and Prometheus metrics (/metrics). One accept thread,
// one short request per connection, `Connection: close`. Binds HOST:PORT
// (port 0 picks a free port; port() tells which).
//
// Thread-safety: handlers run on the accept thread; start/stop from one thread.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <thread>

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
  HttpEndpoint() = default;
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  void handle(const std::string& path, Handler h) { handlers_[path] = std::move(h); }
  // `address` "HOST:PORT" (e.g. 127.0.0.1:0, 0.0.0.0:8080).
  Status start(const std::string& address);
  void stop();
  int port() const { return port_; }

 private:
  void serve();
  std::map<std::string, Handler> handlers_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace ossvp::controller
